package io.backpoint.repo;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.image.img.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Restores a disk, or a whole VM, of a snapshot into new files. */
public final class Restore {
    /** A restored disk: where, in which format, and how many data bytes were written. */
    public record RestoredDisk(String name, Path path, String format, long size, long dataBytes) {
    }

    private final Repository repository;
    private final int threads;

    public Restore(Repository repository) {
        this(repository, repository.parallelism());
    }

    public Restore(Repository repository, int threads) {
        this.repository = repository;
        this.threads = threads;
    }

    /**
     * Restores disk {@code diskName} of {@code snapshot} to {@code output} (which must not exist)
     * as raw or qcow2. Every chunk is checked against its hash; on any failure nothing is left.
     */
    public RestoredDisk disk(Snapshot snapshot, String diskName, Path output, String format) {
        DiskIndex disk = snapshot.disk(diskName).orElseThrow(() -> BackpointException.of(ErrorCode.INVALID_ARG,
                "snapshot %s of '%s' has no disk '%s' (it has %s)", snapshot.id(), snapshot.domain(), diskName,
                snapshot.disks().stream().map(DiskIndex::name).toList()));
        if (!format.equals("raw") && !format.equals("qcow2")) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "unknown output format '%s' (expected raw or qcow2)", format);
        }
        if (format.equals("qcow2") && disk.size() % 512 != 0) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "disk '%s' has %d bytes, not a whole number of 512-byte sectors, which qcow2 cannot hold; restore it as raw",
                    diskName, disk.size());
        }
        OutputFiles.checkAbsent(output);
        Path raw = null;
        Path converted = null;
        ExecutorService workers = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "restore-" + diskName);
            thread.setDaemon(true);
            return thread;
        });
        try {
            raw = OutputFiles.temp(output);
            long data;
            try (RawOutput out = RawOutput.open(raw, disk.size(), disk.chunkSize())) {
                data = DiskRestore.restore(repository, snapshot, disk, out, workers, threads * 2);
            }
            if (format.equals("qcow2")) {
                converted = OutputFiles.temp(output);
                new QemuImg("qemu-img", Duration.ofHours(24)).convert(raw, "raw", converted, "qcow2");
                Files.setPosixFilePermissions(converted, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                OutputFiles.publish(converted, output);
            } else {
                OutputFiles.publish(raw, output);
            }
            return new RestoredDisk(diskName, output, format, disk.size(), data);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot restore disk '" + diskName + "' to '" + output + "': " + e.getMessage(), e);
        } finally {
            workers.shutdownNow();
            deleteQuietly(raw);
            deleteQuietly(converted);
        }
    }

    /**
     * Restores every disk of {@code snapshot} into {@code directory} (created when missing) as
     * {@code NAME-DISK.FORMAT}, and writes {@code NAME.xml}: the saved domain XML with the new name,
     * a new uuid and the new disk paths. On failure the files already restored are removed.
     */
    public RestoredVm vm(Snapshot snapshot, Path directory, String newName, String format) {
        if (snapshot.domainXml() == null) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "snapshot %s has no domain XML; restore its disks one by one with --disk", snapshot.id());
        }
        String name = newName != null ? newName : snapshot.domain() + "-restored";
        Layout.checkDomain(name);
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectory(directory, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED, "cannot create '" + directory + "': " + e.getMessage(), e);
        }
        Path xmlPath = directory.resolve(name + ".xml");
        List<Path> outputs = new ArrayList<>();
        for (DiskIndex disk : snapshot.disks()) {
            outputs.add(directory.resolve(name + "-" + disk.name() + "." + format).toAbsolutePath());
        }
        OutputFiles.checkAbsent(xmlPath);
        outputs.forEach(OutputFiles::checkAbsent);
        List<RestoredDisk> restored = new ArrayList<>();
        boolean done = false;
        try {
            for (int i = 0; i < outputs.size(); i++) {
                restored.add(disk(snapshot, snapshot.disks().get(i).name(), outputs.get(i), format));
            }
            DomainRewrite.Result rewritten = DomainRewrite.rewrite(snapshot.domainXml(), name, restored);
            Path temp = OutputFiles.temp(xmlPath);
            try {
                Files.writeString(temp, rewritten.xml());
                OutputFiles.publish(temp, xmlPath);
            } finally {
                deleteQuietly(temp);
            }
            done = true;
            return new RestoredVm(name, rewritten.uuid(), xmlPath, rewritten.xml(), restored, rewritten.dropped());
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot write '" + xmlPath + "': " + e.getMessage(), e);
        } finally {
            if (!done) {
                restored.forEach(d -> deleteQuietly(d.path()));
            }
        }
    }

    /** A restored VM: its new name and uuid, the XML written, the disks, and disks left out. */
    public record RestoredVm(String name, String uuid, Path xmlPath, String xml, List<RestoredDisk> disks,
            List<String> droppedDisks) {
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort: the temporary name is hidden and says what it is
            }
        }
    }
}
