package io.backpoint.cli.recover;

import io.backpoint.api.Connection;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.repo.DiskIndex;
import io.backpoint.repo.DomainRewrite;
import io.backpoint.repo.Repository;
import io.backpoint.repo.Restore;
import io.backpoint.repo.Snapshot;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.OwnerOnly;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The first call of a recovery records it (domain XML rewritten to the overlays, then
 * {@code recover.json}) before anything runs; a later call on the same directory takes the
 * record and checks it is the same recovery. Only the snapshot's manifest is read here: the disks
 * are read by the serve process.
 */
final class RecoverSetup {
    private final Connection conn;
    private final PrintStream err;

    RecoverSetup(Connection conn, PrintStream err) {
        this.conn = conn;
        this.err = err;
    }

    static Path xmlFile(Path dir, String name) {
        return dir.resolve(name + ".xml");
    }

    RecoverState prepare(Path dir, String name, String snapshotSpec, Supplier<Repository> repository, String location) {
        Optional<RecoverState> recorded = Files.isDirectory(dir) ? RecoverState.load(dir) : Optional.empty();
        if (recorded.isPresent()) {
            RecoverState state = recorded.get();
            if (!state.name().equals(name)) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "'%s' holds the recovery of domain '%s'; give --as %s to resume it, or another --output-dir",
                        dir, state.name(), state.name());
            }
            if (!snapshotSpec.equals(state.snapshot()) && !snapshotSpec.endsWith("latest")) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "'%s' holds the recovery of snapshot %s, not %s; use another --output-dir", dir,
                        state.snapshot(), snapshotSpec);
            }
            if (!location.equals(state.repository())) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "'%s' holds a recovery from repository %s, not %s; give --repo %s to resume it, or another"
                                + " --output-dir", dir, state.repository(), location, state.repository());
            }
            if (!Files.exists(xmlFile(dir, name), LinkOption.NOFOLLOW_LINKS)) {
                // A call killed after recording the recovery, before writing the domain XML.
                try (Repository repo = repository.get()) {
                    writeXml(dir, state, repo.snapshot(state.snapshot()));
                }
            }
            return state;
        }
        if (conn.listAllDomains().stream().anyMatch(d -> d.name().equals(name))) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "domain '%s' already exists; choose another name with --as", name);
        }
        Snapshot snapshot;
        try (Repository repo = repository.get()) {
            snapshot = repo.snapshot(snapshotSpec);
        }
        if (snapshot.domainXml() == null) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                    "snapshot %s has no domain XML to run; restore its disks with restore --repo --disk", snapshot.id());
        }
        try {
            OwnerOnly.createDirectories(dir);
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.WRITE_FAILED, "cannot create '%s': %s", dir, e.getMessage());
        }
        Path socket = dir.resolve("serve.sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > QemuCommandLine.MAX_SOCKET_PATH) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "the serve socket path '%s' is longer than %d bytes; choose a shorter --output-dir", socket,
                    QemuCommandLine.MAX_SOCKET_PATH);
        }
        List<RecoverState.Disk> disks = new ArrayList<>();
        List<Path> mine = new ArrayList<>(List.of(xmlFile(dir, name), socket, dir.resolve(ServeProcess.STATE)));
        for (DiskIndex d : snapshot.disks()) {
            Path overlay = dir.resolve(name + "-" + d.name() + ".qcow2");
            mine.add(overlay);
            disks.add(new RecoverState.Disk(d.name(), d.size(), overlay));
        }
        for (Path file : mine) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw exists(file);
            }
        }
        RecoverState state = new RecoverState(location, snapshot.id(), snapshot.domain(), name, disks);
        // The record first, then the XML: a call killed between them leaves a recovery the next
        // call resumes (writing the XML), never a file of ours it would take for someone else's.
        state.save(dir);
        writeXml(dir, state, snapshot);
        return state;
    }

    private void writeXml(Path dir, RecoverState state, Snapshot snapshot) {
        List<Restore.RestoredDisk> rewritten = new ArrayList<>();
        for (RecoverState.Disk d : state.disks()) {
            rewritten.add(new Restore.RestoredDisk(d.name(), d.overlay(), "qcow2", d.size(), 0));
        }
        DomainRewrite.Result xml = DomainRewrite.rewrite(snapshot.domainXml(), state.name(), rewritten);
        for (String dropped : xml.dropped()) {
            err.println("warning: disk '" + dropped + "' was not in the snapshot; the recovered domain has no such disk");
        }
        Path file = xmlFile(dir, state.name());
        try {
            AtomicFiles.create(file, xml.xml());
        } catch (FileAlreadyExistsException e) {
            throw exists(file);
        } catch (IOException e) {
            throw BackpointException.of(ErrorCode.WRITE_FAILED, "cannot write '%s': %s", file, e.getMessage());
        }
    }

    static BackpointException exists(Path file) {
        return BackpointException.of(ErrorCode.OPERATION_INVALID,
                "'%s' exists; recover never overwrites a file: move it away or choose another --output-dir", file);
    }
}
