package io.backpoint.qemu.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.backpoint.driver.DomainInfo;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.BackupDiskDef;
import io.backpoint.model.BackupDiskState;
import io.backpoint.model.BackupMode;
import io.backpoint.model.BackupServer;
import io.backpoint.model.BackupTransport;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.StoreType;
import io.backpoint.qemu.agent.GuestFreeze;
import io.backpoint.qemu.block.BlockNodes;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuDomains;
import io.backpoint.qemu.domain.QmpSessions;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.qemu.qmp.QmpException;
import io.backpoint.qemu.qmp.QmpJob;
import io.backpoint.qemu.qmp.QmpStep;
import io.backpoint.util.IoErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * virDomainBackupBegin on QEMU (libvirt's qemuBackupBegin): checks the stores, records the job,
 * creates and attaches target or scratch images, starts the NBD server (pull), runs the one
 * transaction, then adds the exports (pull). Any failure takes back everything done so far,
 * including the bitmaps of a checkpoint created in the transaction, so a failed begin leaves
 * nothing behind.
 */
final class BackupStarter {
    static final int FIRST_NBD_PORT = 10809;
    static final int NBD_PORTS = 64;
    private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(2);

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final QemuDomains domains;
    private final JobReconciler reconciler;

    BackupStarter(QemuDomains domains, JobReconciler reconciler) {
        this.domains = domains;
        this.reconciler = reconciler;
    }

    String begin(DomainInfo dom, BackupDef backup, CheckpointDef checkpoint, boolean reuse, boolean quiesce,
            Runnable commitCheckpoint) {
        String name = dom.name();
        QemuDomain seam = domains.get(name);
        DomainDef domain = seam.definition();
        Path defaultSocket = seam.files().nbdSocket();
        BackupDef def = BackupPlanner.fill(backup, BackupServer.unix(defaultSocket.toString()));
        BackupJobStore store = reconciler.store(name);
        // The agent is asked first: a silent guest gets its error before anything is created.
        try (GuestFreeze freeze = quiesce ? seam.guestFreeze() : null) {
            QmpClient qmp = seam.qmp();
            JsonNode rawNodes = qmp.execute(QmpCommands.queryNamedBlockNodes());
            Map<String, DiskSource> sources = sources(def, domain, rawNodes);
            BackupPlan plan = BackupPlanner.plan(def, checkpoint, sources, BlockNodes.parse(rawNodes), reuse);
            checkStores(plan, def.mode(), reuse);
            if (def.mode() == BackupMode.PULL) {
                checkSocket(def.server(), defaultSocket);
            }

            BackupJob job = new BackupJob(UUID.randomUUID().toString(), recorded(def, plan), BackupJob.Phase.PREPARING, seam.clock().millis(), reuse,
                    checkpoint == null ? null : checkpoint.name());
            job.sources.putAll(sources);
            recordTempBitmaps(job, plan, BlockNodes.parse(rawNodes));
            store.save(job);
            try {
                prepare(qmp, job, plan, store);
                if (plan.nbdServerStart() != null) {
                    startServer(qmp, job, plan.nbdServerStart(), store);
                }
                if (freeze != null) {
                    // The freeze covers the backup's instant only; the copy runs thawed.
                    freeze.around(() -> qmp.execute(plan.transactionStep()));
                } else {
                    qmp.execute(plan.transactionStep());
                }
            } catch (IOException | RuntimeException e) {
                undo(qmp, job, name, store, e);
                throw e instanceof IOException io ? QmpSessions.translate("backup-begin", io) : (RuntimeException) e;
            }
            try {
                // The checkpoint's metadata is stored before anything can use the job, so no
                // process ever sees a running job whose checkpoint is only a bitmap.
                CrashPoints.reach(CrashPoints.BEFORE_COMMIT);
                commitCheckpoint.run();
                CrashPoints.reach(CrashPoints.AFTER_COMMIT);
                job.phase = BackupJob.Phase.RUNNING;
                store.save(job);
            } catch (RuntimeException e) {
                undo(qmp, job, name, store, e);
                throw e;
            }
            CrashPoints.reach(CrashPoints.AFTER_RUNNING);
            try {
                for (DiskPlan d : plan.disks()) {
                    if (d.export() != null) {
                        qmp.execute(d.export());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // libvirt keeps the checkpoint here and leaves callers to notice; we take the whole
                // begin back, checkpoint included, so the next incremental cannot silently start
                // from a backup that never was.
                undo(qmp, job, name, store, e);
                throw e instanceof IOException io ? QmpSessions.translate("block-export-add", io) : (RuntimeException) e;
            }
            return job.id;
        } catch (IOException e) {
            throw QmpSessions.translate("query-named-block-nodes", e);
        }
    }

    private void undo(QmpClient qmp, BackupJob job, String domain, BackupJobStore store, Exception cause) {
        try {
            reconciler.undoBegin(qmp, job, domain);
            store.delete();
        } catch (IOException | RuntimeException e) {
            // The record stays, so the next call finishes the cleanup.
            cause.addSuppressed(e);
        }
    }

    /**
     * Records the temporary bitmaps the transaction will add to the disks (push incrementals),
     * so that cleanup removes exactly these. One that exists already is not ours to use or to
     * remove later: the begin is refused.
     */
    private static void recordTempBitmaps(BackupJob job, BackupPlan plan, BlockNodes nodes) {
        for (DiskPlan d : plan.disks()) {
            if (!d.incremental() || d.export() != null) {
                continue;
            }
            if (nodes.bitmap(d.bitmapNode(), d.bitmap()).isPresent()) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "disk '%s' already has a bitmap named '%s', the name of the backup's temporary bitmap;"
                                + " it was not created by this backup, so remove it first"
                                + " (block-dirty-bitmap-remove through qemu-monitor-command)", d.disk(), d.bitmap());
            }
            job.bitmaps.put(d.disk(), d.bitmap());
        }
    }

    /** Each backed-up disk's top image and size, as the domain and QEMU describe it. */
    private static Map<String, DiskSource> sources(BackupDef def, DomainDef domain, JsonNode rawNodes) {
        Map<String, DiskSource> out = new LinkedHashMap<>();
        for (BackupDiskDef d : def.backedUpDisks()) {
            DomainDiskDef disk = domain.diskByTarget(d.name());
            if (disk == null) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "no disk named '%s'", d.name());
            }
            String top = BackupNames.top(d.name());
            long size = -1;
            for (JsonNode n : rawNodes) {
                if (top.equals(n.path("node-name").asText())) {
                    size = n.path("image").path("virtual-size").asLong(-1);
                }
            }
            if (size < 0) {
                throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                        "QEMU has no block node '%s' for disk '%s'", top, d.name());
            }
            String format = disk.driverType() == null ? DiskFormat.RAW.xml() : disk.driverType().xml();
            out.put(d.name(), new DiskSource(d.name(), disk.source(), format, size));
        }
        return out;
    }

    /** libvirt's store checks, for every disk before anything is created. */
    private static void checkStores(BackupPlan plan, BackupMode mode, boolean reuse) {
        for (DiskPlan d : plan.disks()) {
            Path path = Path.of(d.path());
            boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
            if (d.createFile() && exists) {
                throw storeExists(d);
            }
            if ((reuse || d.type() == StoreType.BLOCK) && !exists) {
                throw BackpointException.of(ErrorCode.INVALID_ARG, "store '%s' for backup of '%s' does not exist",
                        d.path(), d.disk());
            }
            if (mode == BackupMode.PUSH) {
                TargetRecords.checkFree(d, reuse);
            }
        }
    }

    /** Backpoint never writes over a file it did not create: the way out is another name or --reuse-external. */
    private static BackpointException storeExists(DiskPlan d) {
        return BackpointException.of(ErrorCode.INVALID_ARG,
                "store '%s' for backup of '%s' exists: choose another file, or use --reuse-external to write into it",
                d.path(), d.disk());
    }

    private static void checkSocket(BackupServer server, Path defaultSocket) {
        if (server.transport() != BackupTransport.UNIX) {
            return;
        }
        int length = server.socket().getBytes(StandardCharsets.UTF_8).length;
        if (length > QemuCommandLine.MAX_SOCKET_PATH) {
            throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                    "socket path '%s' is too long for a unix socket (%d bytes, at most %d)", server.socket(), length,
                    QemuCommandLine.MAX_SOCKET_PATH);
        }
        Path socket = Path.of(server.socket());
        if (socket.equals(defaultSocket)) {
            try {
                // Left by a QEMU that died: ours to replace.
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new BackpointException(ErrorCode.OPERATION_FAILED,
                        "cannot remove stale socket '" + socket + "': " + IoErrors.reason(e), e);
            }
        } else if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "socket '%s' for the NBD server exists",
                    server.socket());
        }
    }

    /** The definition as recorded: every disk running, with its node names. */
    private static BackupDef recorded(BackupDef def, BackupPlan plan) {
        BackupDef out = def;
        for (DiskPlan p : plan.disks()) {
            BackupDiskDef d = out.disk(p.disk());
            out = out.withDisk(d.withStore(BackupJob.withNodeNames(d.store(), p.storageNode(), p.formatNode()))
                    .withState(BackupDiskState.RUNNING));
        }
        return out;
    }

    private static void prepare(QmpClient qmp, BackupJob job, BackupPlan plan, BackupJobStore store)
            throws IOException {
        for (DiskPlan d : plan.disks()) {
            if (d.createFile()) {
                // Recorded before it exists: a process killed right after creating it leaves a
                // record from which the next call deletes it. (checkStores saw the name free.)
                job.created.add(d.path());
                store.save(job);
                try {
                    // A target or scratch file holds the guest's data: the owner's alone, whatever the umask.
                    io.backpoint.util.CrashPoints.before("create:" + Path.of(d.path()).getFileName());
                    Files.createFile(Path.of(d.path()), OWNER_ONLY);
                    io.backpoint.util.CrashPoints.after("create:" + Path.of(d.path()).getFileName());
                } catch (FileAlreadyExistsException e) {
                    // Someone else's file now: never ours to delete.
                    job.created.remove(d.path());
                    throw storeExists(d);
                } catch (IOException e) {
                    job.created.remove(d.path());
                    throw new BackpointException(ErrorCode.SYSTEM_ERROR,
                            "failed to create image file '" + d.path() + "': " + IoErrors.reason(e), e);
                }
            }
            // Once the file system refused O_DIRECT, the disk's other nodes are opened without it.
            boolean direct = true;
            for (QmpStep step : d.prepare()) {
                direct &= execute(qmp, direct || !BackupPlanner.directIo(step) ? step : BackupPlanner.withoutDirectIo(step));
            }
        }
    }

    /**
     * Runs one prepare step as planned. A {@code blockdev-create} is a job: it is waited for and
     * dismissed (as libvirt does). A push target opened with page-cache bypass is opened again
     * without it if its file system refuses O_DIRECT (tmpfs).
     *
     * @return false when page-cache bypass was refused
     */
    private static boolean execute(QmpClient qmp, QmpStep step) throws IOException {
        if (step.command().equals("blockdev-create")) {
            String id = step.arguments().path("job-id").asText();
            qmp.execute(step);
            QmpJob job = qmp.awaitConcluded(id, CREATE_TIMEOUT);
            qmp.execute(QmpCommands.jobDismiss(id));
            if (job.error() != null) {
                throw new QmpException("blockdev-create", "GenericError", job.error());
            }
        } else if (BackupPlanner.directIo(step)) {
            try {
                qmp.execute(step);
            } catch (QmpException e) {
                qmp.execute(BackupPlanner.withoutDirectIo(step));
                return false;
            }
        } else {
            qmp.execute(step);
        }
        return true;
    }

    /**
     * Starts the NBD server as planned. A TCP server without a port takes the first free one from
     * 10809 on: the planned step is retried with each port; the chosen one goes into the job's
     * definition.
     */
    private static void startServer(QmpClient qmp, BackupJob job, QmpStep planned, BackupJobStore store)
            throws IOException {
        BackupServer server = job.def.server();
        boolean pickPort = server.transport() == BackupTransport.TCP && (server.port() == null || server.port() == 0);
        // Recorded before it starts: a process killed just after nbd-server-start leaves a record
        // from which the next call stops the server and removes its socket.
        job.nbdRunning = true;
        if (server.transport() == BackupTransport.UNIX) {
            job.socket = server.socket();
        }
        store.save(job);
        try {
            start(qmp, job, planned, server, pickPort);
        } catch (IOException | RuntimeException e) {
            // Not started by us (a server that runs already is someone else's to stop).
            job.nbdRunning = false;
            job.socket = null;
            throw e;
        }
        store.save(job);
    }

    private static void start(QmpClient qmp, BackupJob job, QmpStep planned, BackupServer server, boolean pickPort)
            throws IOException {
        if (!pickPort) {
            qmp.execute(planned);
        } else {
            BackupServer chosen = null;
            for (int port = FIRST_NBD_PORT; port < FIRST_NBD_PORT + NBD_PORTS && chosen == null; port++) {
                try {
                    qmp.execute(BackupPlanner.withPort(planned, port));
                    chosen = server.withPort(port);
                } catch (QmpException e) {
                    if (!e.desc().toLowerCase(java.util.Locale.ROOT).contains("in use")) {
                        throw e;
                    }
                }
            }
            if (chosen == null) {
                throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                        "no free TCP port for the NBD server on '%s' in %d-%d", server.name(), FIRST_NBD_PORT,
                        FIRST_NBD_PORT + NBD_PORTS - 1);
            }
            job.def = job.def.withServer(chosen);
        }
    }
}
