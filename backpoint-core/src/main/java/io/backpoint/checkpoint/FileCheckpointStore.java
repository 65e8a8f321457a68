package io.backpoint.checkpoint;

import io.backpoint.driver.CheckpointStore;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.CheckpointDef;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.CrashPoints;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import io.backpoint.util.SafeFileName;
import io.backpoint.xml.CheckpointFormatFlag;
import io.backpoint.xml.CheckpointXml;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One file per checkpoint, {@code <dir>/<name>.xml}: the full checkpoint XML with its domain,
 * formatted SECURE, as libvirt keeps it. Files are replaced atomically. A file that does not parse
 * is reported by name and left alone: never dropped, never overwritten.
 *
 * <p>A counter file, {@code .generation}, changes with every write, so a process that cached the
 * tree can tell cheaply whether another process changed it.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private static final String SUFFIX = ".xml";
    private static final String GENERATION = ".generation";
    private static final String INTENT = ".intent";

    private final Path dir;
    private final Set<String> damaged = new HashSet<>();
    /** Names whose file this instance read whole or wrote itself: safe to replace without a look. */
    private final Set<String> known = new HashSet<>();

    public FileCheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public Loaded load() {
        List<CheckpointDef> defs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        damaged.clear();
        known.clear();
        if (!Files.isDirectory(dir)) {
            return new Loaded(defs, problems);
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            listing.forEach(files::add);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "cannot read checkpoint directory '" + dir + "': " + IoErrors.reason(e), e);
        }
        files.sort(null);
        removeLeftoverTemporaryFiles();
        // Parsing is most of the cost of a load; the files are independent, so they are read in
        // parallel (the parser is per thread).
        List<Object> results = files.parallelStream().map(file -> {
            try {
                return (Object) read(file, nameOf(file));
            } catch (BackpointException e) {
                return "checkpoint metadata file '" + file + "' is damaged: " + e.getMessage();
            }
        }).toList();
        for (int i = 0; i < files.size(); i++) {
            String name = nameOf(files.get(i));
            if (results.get(i) instanceof CheckpointDef def) {
                defs.add(def);
                known.add(name);
            } else {
                damaged.add(name);
                problems.add((String) results.get(i));
            }
        }
        return new Loaded(defs, problems);
    }

    /**
     * Temporary files are written only under the domain's lock, as is every load: one seen here
     * was left by a writer that died before its rename, and nothing will ever use it.
     */
    private void removeLeftoverTemporaryFiles() {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path f : leftovers) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // Harmless garbage; the next load tries again.
        }
    }

    private static String nameOf(Path file) {
        String fileName = file.getFileName().toString();
        return fileName.substring(0, fileName.length() - SUFFIX.length());
    }


    @Override
    public void save(CheckpointDef def) {
        String name = checkWritable(def.name());
        String xml = CheckpointXml.format(def, EnumSet.of(CheckpointFormatFlag.SECURE));
        try {
            OwnerOnly.createDirectories(dir);
            AtomicFiles.write(file(name), xml);
            known.add(name);
            bumpGeneration();
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "unable to save metadata for checkpoint " + name + ": " + IoErrors.reason(e), e);
        }
    }

    /** The intent file: hidden and not {@code *.xml}, so loads never take it for a checkpoint. */
    private Path intentFile() {
        return dir.resolve(INTENT);
    }

    @Override
    public String intent() {
        Path f = intentFile();
        // Called under the lock at the start of every call: what a writer killed before its rename left goes.
        AtomicFiles.removeLeftovers(f);
        if (!Files.exists(f)) {
            return null;
        }
        // An operation was cut short: a metadata file it was writing may have left its temporary
        // file too, which a process that keeps its tree cached would not load (and remove) soon.
        removeLeftoverTemporaryFiles();
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.READ_FAILED,
                    "cannot read checkpoint intent '" + f + "': " + IoErrors.reason(e), e);
        }
    }

    @Override
    public void saveIntent(String intent) {
        try {
            OwnerOnly.createDirectories(dir);
            AtomicFiles.write(intentFile(), intent);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot write checkpoint intent '" + intentFile() + "': " + IoErrors.reason(e), e);
        }
    }

    @Override
    public void clearIntent() {
        try {
            AtomicFiles.delete(intentFile());
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot remove checkpoint intent '" + intentFile() + "': " + IoErrors.reason(e), e);
        }
    }

    @Override
    public String checkWritable(String checkpoint) {
        String name = SafeFileName.require("checkpoint", checkpoint);
        // An instance that did not load this file (another process wrote it, or the driver
        // made a new store) looks before replacing it, so a damaged file is never lost.
        if (!known.contains(name) && !damaged.contains(name) && Files.exists(file(name))) {
            try {
                read(file(name), name);
            } catch (BackpointException e) {
                damaged.add(name);
            }
        }
        if (damaged.contains(name)) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                    "checkpoint metadata file '%s' is damaged; refusing to overwrite it", file(name));
        }
        return name;
    }

    @Override
    public void delete(String name) {
        SafeFileName.require("checkpoint", name);
        try {
            AtomicFiles.delete(file(name));
            known.remove(name);
            bumpGeneration();
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "unable to remove metadata for checkpoint " + name + ": " + IoErrors.reason(e), e);
        }
    }

    @Override
    public long generation() {
        try {
            return Long.parseLong(Files.readString(dir.resolve(GENERATION), StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            // An unreadable counter only costs a reload.
            return -1;
        }
    }

    /** Removes every checkpoint file (undefine with checkpoint metadata) and the directory. */
    public void deleteAll() {
        try {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "unable to remove checkpoint metadata in '" + dir + "': " + IoErrors.reason(e), e);
        }
    }

    /** One checkpoint file, which must define the checkpoint it is named after. */
    private static CheckpointDef read(Path file, String name) {
        CheckpointDef def = CheckpointXml.parseState(XmlInput.readFile(file));
        if (!def.name().equals(name)) {
            throw new BackpointException(ErrorCode.XML_ERROR, "it defines checkpoint '" + def.name() + "'");
        }
        return def;
    }

    private Path file(String name) {
        return dir.resolve(name + SUFFIX);
    }

    private void bumpGeneration() throws IOException {
        // A random value rather than a counter: a counter restarts when the directory is removed
        // (undefine) and recreated, and a process that cached an old tree could then meet its
        // old number again. Not fsynced: after a crash every process starts with an empty cache,
        // so the value only has to change while the system runs; the rename keeps it whole.
        long next = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        CrashPoints.before("write:" + GENERATION);
        Path tmp = Files.createTempFile(dir, GENERATION, ".tmp");
        try {
            Files.writeString(tmp, next + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(GENERATION), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        CrashPoints.after("write:" + GENERATION);
    }
}
