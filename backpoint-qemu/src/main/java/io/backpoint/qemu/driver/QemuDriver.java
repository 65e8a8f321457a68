package io.backpoint.qemu.driver;

import io.backpoint.checkpoint.FileCheckpointStore;
import io.backpoint.driver.BackupMechanics;
import io.backpoint.driver.BlockJobs;
import io.backpoint.driver.CheckpointMechanics;
import io.backpoint.driver.CheckpointStore;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLifecycle;
import io.backpoint.driver.DomainLock;
import io.backpoint.driver.Driver;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.XmlNode;
import io.backpoint.qemu.agent.GuestFreeze;
import io.backpoint.qemu.backup.QemuBackupMechanics;
import io.backpoint.qemu.blockjob.QemuBlockJobs;
import io.backpoint.qemu.checkpoint.QemuCheckpointMechanics;
import io.backpoint.qemu.domain.DomainFiles;
import io.backpoint.qemu.domain.QemuDomain;
import io.backpoint.qemu.domain.QemuObserver;
import io.backpoint.qemu.domain.QmpSessions;
import io.backpoint.image.img.QemuImg;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.qemu.qmp.QmpCommands;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import io.backpoint.util.SafeFileName;
import io.backpoint.vocab.DomainState;
import io.backpoint.xml.DomainXml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The QEMU driver: no daemon. Definitions and checkpoint metadata live in the state directory;
 * a running domain is a detached QEMU with a pid file and a QMP socket in ROOT/run/NAME. Every
 * call takes the domain's file lock, looks at what is really there (a QEMU that died is noticed
 * and cleaned up), then acts.
 *
 * <p>While a call holds a domain's lock it has the domain's seam ({@link QemuDomain}): the
 * running definition parsed once and one QMP session, shared by the checkpoint and backup
 * mechanics, which reach the domain only through it.
 */
final class QemuDriver implements Driver, DomainLifecycle {
    private final StateLayout layout;
    private final DomainDefinitions definitions;
    private final QemuCheckpointMechanics mechanics;
    private final QemuBackupMechanics backups;
    private final Clock clock;
    private final QemuObserver observer;
    /** The seams of the domains locked in this JVM; each is touched only under its domain's lock. */
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    /** How long a state query waits for a monitor another client holds, before saying "running (unknown)". */
    private static final java.time.Duration STATE_QUERY_WAIT = java.time.Duration.ofSeconds(5);

    private static final class Held {
        final QemuDomain domain;
        int holds;

        Held(QemuDomain domain) {
            this.domain = domain;
        }
    }

    QemuDriver(StateLayout layout) {
        this(layout, Clock.systemUTC(), QemuObserver.NONE);
    }

    QemuDriver(StateLayout layout, Clock clock, QemuObserver observer) {
        this.layout = layout;
        this.clock = clock;
        this.observer = observer;
        this.definitions = new DomainDefinitions(layout);
        this.mechanics = new QemuCheckpointMechanics(this::seam, new QemuImg());
        this.backups = new QemuBackupMechanics(this::seam);
    }

    @Override
    public String uri() {
        return layout.uri();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public List<DomainInfo> listDomains() {
        List<DomainInfo> out = new ArrayList<>();
        for (String name : definitions.names()) {
            DomainInfo info = domain(name);
            if (info != null) {
                out.add(info);
            }
        }
        return out;
    }

    @Override
    public DomainInfo domain(String name) {
        if (!definitions.exists(name)) {
            return null;
        }
        try (DomainLock lock = lock(name)) {
            DomainDef def = definitions.load(name);
            if (!running(name)) {
                return new DomainInfo(name, def.uuid(), DomainState.SHUTOFF, -1, true);
            }
            RunStates.StateAndReason now = runState(name);
            return new DomainInfo(name, def.uuid(), now.state(), readId(name), true, now.reason());
        }
    }

    /** Running or paused, from QEMU itself: a VM stopped with 'stop' (or by an I/O error) is not running. */
    private RunStates.StateAndReason runState(String name) {
        QmpClient qmp;
        try {
            qmp = seam(name).qmp(STATE_QUERY_WAIT);
        } catch (BackpointException e) {
            // The monitor is held by another client (QEMU serves one at a time) or QEMU is going
            // away: it runs, and whether its vCPUs do cannot be asked. Listing or destroying it
            // must not fail for that.
            return new RunStates.StateAndReason(DomainState.RUNNING, "unknown");
        }
        try {
            return RunStates.of(qmp.execute(QmpCommands.queryStatus()));
        } catch (IOException e) {
            return new RunStates.StateAndReason(DomainState.RUNNING, "unknown");
        }
    }

    @Override
    public DomainDef definition(String name) {
        try (DomainLock lock = lock(name)) {
            return seam(name).definition();
        }
    }

    /** What the seam parses, once per call: the live definition while QEMU runs, else the persistent one. */
    private DomainDef loadDefinition(String name) {
        Path live = files(name).liveXml();
        if (running(name) && Files.isRegularFile(live)) {
            return DomainDefinitions.readState(live);
        }
        return definitions.load(name);
    }

    @Override
    public String domainXml(String name, boolean secure, boolean inactive) {
        try (DomainLock lock = lock(name)) {
            return formatDomainXml(name, secure, inactive);
        }
    }

    private String formatDomainXml(String name, boolean secure, boolean inactive) {
        DomainInfo info = requireDomain(name);
        DomainDef def = inactive ? definitions.load(name) : definition(name);
        EnumSet<DomainXml.FormatFlag> flags = EnumSet.of(DomainXml.FormatFlag.INACTIVE);
        if (secure) {
            flags.add(DomainXml.FormatFlag.SECURE);
        }
        String xml = DomainXml.format(def, flags);
        if (!inactive && info.active()) {
            // The runtime id goes where libvirt puts it: right after type.
            xml = xml.replaceFirst("^<domain type='([^']*)'", "<domain type='$1' id='" + info.id() + "'");
        }
        return xml;
    }

    /** Locks the domain; the outermost lock of a call also opens its seam and closes it on release. */
    @Override
    public DomainLock lock(String name) {
        SafeFileName.require("domain", name);
        try {
            layout.requireOwnState(name);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_DENIED,
                    "refusing the state of domain '" + name + "': " + IoErrors.reason(e), e);
        }
        DomainLock file = FileDomainLock.acquire(layout.lockFile(name));
        io.backpoint.util.Trace.mark("locked " + name);
        // A process killed during a quiesced instant left the guest frozen: every call thaws it.
        Path record = files(name).frozenRecord();
        if (Files.exists(record)) {
            try {
                GuestFreeze.recover(record, GuestFreeze.configuredTimeout());
            } catch (RuntimeException e) {
                file.close();
                throw e;
            }
        }
        Held h = held.computeIfAbsent(name, n -> new Held(new QemuDomain(n, files(n), () -> loadDefinition(n),
                () -> running(n), () -> checkpointStore(n), clock, observer)));
        h.holds++;
        return () -> {
            try {
                if (--h.holds == 0) {
                    held.remove(name);
                    h.domain.close();
                }
            } finally {
                file.close();
                io.backpoint.util.Trace.mark("unlocked " + name);
            }
        };
    }

    /** The seam of a domain this thread has locked. */
    private QemuDomain seam(String name) {
        Held h = held.get(name);
        if (h == null || h.holds == 0) {
            throw new IllegalStateException("domain '" + name + "' is used without its lock");
        }
        return h.domain;
    }

    private DomainFiles files(String name) {
        return new DomainFiles(name, layout.runDir(name), layout.backupDir(name));
    }

    @Override
    public CheckpointStore checkpointStore(String name) {
        SafeFileName.require("domain", name);
        return new FileCheckpointStore(layout.checkpointDir(name));
    }

    @Override
    public CheckpointMechanics checkpoints() {
        return mechanics;
    }

    @Override
    public DomainLifecycle lifecycle(String function) {
        return this;
    }

    @Override
    public BackupMechanics backups(String function) {
        return backups;
    }

    @Override
    public BlockJobs blockJobs(String function) {
        return new QemuBlockJobs(this::lock, this::seam);
    }

    // ---- domain lifecycle ----

    /** Defines (or redefines, same UUID) a domain from XML; returns its name. */
    @Override
    public String define(String xml) {
        DomainDef def = DomainXml.parse(xml);
        if (!SafeFileName.valid(def.name())) {
            throw BackpointException.of(ErrorCode.INVALID_ARG,
                    "domain name '%s' is not allowed: use letters, digits, '_', '-' and '.' (not first)", def.name());
        }
        if (def.uuid() == null) {
            def = withUuid(def, UUID.randomUUID().toString());
        }
        DomainProcesses.checkSupported(def);
        try (DomainLock lock = lock(def.name())) {
            if (definitions.exists(def.name())) {
                DomainDef old = definitions.load(def.name());
                if (old.uuid() != null && !old.uuid().equalsIgnoreCase(def.uuid())) {
                    throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                            "domain '%s' already exists with uuid %s", def.name(), old.uuid());
                }
            }
            for (String other : definitions.names()) {
                if (!other.equals(def.name()) && def.uuid().equalsIgnoreCase(definitions.load(other).uuid())) {
                    throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                            "domain '%s' is already defined with uuid %s", other, def.uuid());
                }
            }
            definitions.save(def);
            return def.name();
        }
    }

    /** Removes a shut-off domain's definition; refused while it has checkpoints unless their metadata goes too. */
    @Override
    public void undefine(String name, boolean checkpointsMetadata) {
        try (DomainLock lock = lock(name)) {
            DomainInfo info = requireDomain(name);
            if (info.active()) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "cannot undefine running domain '%s': destroy it first", name);
            }
            if (backups.jobRecorded(seam(name))) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "cannot undefine domain '%s' while a backup job is recorded for it: 'domjobinfo' finishes it", name);
            }
            FileCheckpointStore store = new FileCheckpointStore(layout.checkpointDir(name));
            // Damaged files count too: they are never dropped without being asked to.
            CheckpointStore.Loaded loaded = store.load();
            int count = loaded.defs().size() + loaded.problems().size();
            if (count > 0 && !checkpointsMetadata) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID,
                        "cannot delete inactive domain with %d checkpoints: use --checkpoints-metadata to delete their metadata too (the bitmaps stay in the images)", count);
            }
            store.deleteAll();
            backups.forget(seam(name));
            definitions.delete(name);
            deleteTree(layout.runDir(name));
        }
    }

    /** Removes a directory and what is in it, if it exists (run directories hold only our files). */
    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.WRITE_FAILED,
                    "cannot remove '" + dir + "': " + IoErrors.reason(e), e);
        }
    }

    /** Starts a shut-off domain. */
    @Override
    public void start(String name) {
        try (DomainLock lock = lock(name)) {
            DomainInfo info = requireDomain(name);
            if (info.active()) {
                throw BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is already running");
            }
            DomainDef def = definitions.load(name);
            for (DomainDiskDef disk : def.disks()) {
                if (!disk.empty() && !Files.exists(Path.of(disk.source()))) {
                    throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                            "cannot access storage file '%s' of disk '%s': No such file or directory", disk.source(), disk.targetDev());
                }
            }
            DomainFiles files = files(name);
            seam(name).reset();
            try {
                cleanRunDir(files);
                OwnerOnly.createDirectories(files.runDir());
                AtomicFiles.write(files.liveXml(), DomainXml.format(def,
                        EnumSet.of(DomainXml.FormatFlag.SECURE, DomainXml.FormatFlag.INACTIVE)));
                AtomicFiles.write(files.idFile(), Integer.toString(nextId()) + "\n");
            } catch (IOException e) {
                throw new BackpointException(ErrorCode.OPERATION_FAILED,
                        "cannot prepare run directory '" + files.runDir() + "': " + IoErrors.reason(e), e);
            }
            DomainProcesses.launch(def, files);
        }
    }

    /**
     * Stops a running domain. QEMU is asked to quit first, so that it writes its persistent
     * bitmaps to the images; it is killed only if it has not gone within the timeout.
     */
    @Override
    public void destroy(String name) {
        try (DomainLock lock = lock(name)) {
            settleBackup(requireDomain(name));
            DomainFiles files = files(name);
            QemuProcess process = DomainProcesses.find(files).orElseThrow(
                    () -> BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is not running"));
            // QEMU serves one monitor client at a time: the call's own session goes first.
            seam(name).reset();
            DomainProcesses.stop(process, files, observer);
            cleanRunDir(files);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED, "cannot clean up after domain '" + name + "': " + IoErrors.reason(e), e);
        }
    }

    /** Asks the guest to power down (ACPI); returns at once, as virsh shutdown does. */
    @Override
    public void shutdown(String name) {
        try (DomainLock lock = lock(name)) {
            settleBackup(requireDomain(name));
            seam(name).qmp().execute(QmpCommands.systemPowerdown());
        } catch (IOException e) {
            throw QmpSessions.translate("system_powerdown", e);
        }
    }

    /**
     * Brings the backup job record up to date before QEMU goes away, as every backup call does
     * first: a push job that completed inside QEMU must end Completed with its targets, not be
     * taken for one that QEMU's exit cut short. A job that cannot be settled (QEMU not answering)
     * does not stop the destroy; the next call finds QEMU gone and ends the job as failed.
     */
    private void settleBackup(DomainInfo info) {
        if (!info.active() || !backups.jobRecorded(seam(info.name()))) {
            return;
        }
        try {
            backups.jobActive(info);
        } catch (BackpointException e) {
            // Settled later, as described above.
        }
    }

    /** qemu-monitor-command: a QMP command as JSON, or an HMP command line. */
    @Override
    public String monitorCommand(String name, String command, boolean hmp) {
        try (DomainLock lock = lock(name)) {
            if (hmp) {
                return seam(name).qmp().execute(QmpCommands.humanMonitorCommand(command)).asText();
            }
            return QmpPassthrough.execute(seam(name).qmp(), command);
        } catch (IOException e) {
            throw QmpSessions.translate(hmp ? "human-monitor-command" : "qemu-monitor-command", e);
        }
    }

    /**
     * The pid of the domain's QEMU if it runs. A pid file whose process is gone means QEMU died
     * (killed, crashed): the run directory is cleaned up and the domain is shut off.
     */
    private boolean running(String name) {
        DomainFiles files = files(name);
        if (!Files.exists(files.pidFile())) {
            return false;
        }
        if (DomainProcesses.find(files).isPresent()) {
            return true;
        }
        try (DomainLock lock = lock(name)) {
            // Look again under the lock: another caller may have started a new QEMU meanwhile,
            // whose files must not be taken for the dead one's.
            if (DomainProcesses.find(files).isPresent()) {
                return true;
            }
            cleanRunDir(files);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot clean up after the QEMU of domain '" + name + "' that went away: " + IoErrors.reason(e), e);
        }
        return false;
    }

    private int readId(String name) {
        try {
            return Integer.parseInt(Files.readString(files(name).idFile(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Runtime ids count up across all domains of this state directory, as libvirt's do. */
    private int nextId() throws IOException {
        try (DomainLock lock = FileDomainLock.acquire(layout.root().resolve("lock").resolve(".ids.lock"))) {
            Path file = layout.nextIdFile();
            int next = 1;
            if (Files.exists(file)) {
                try {
                    next = Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
                } catch (NumberFormatException e) {
                    next = 1;
                }
            }
            OwnerOnly.createDirectories(file.getParent());
            AtomicFiles.write(file, Integer.toString(next + 1) + "\n");
            return next;
        }
    }

    private static void cleanRunDir(DomainFiles files) throws IOException {
        if (!Files.isDirectory(files.runDir())) {
            return;
        }
        Files.deleteIfExists(files.pidFile());
        Files.deleteIfExists(files.qmpSocket());
        Files.deleteIfExists(files.liveXml());
        Files.deleteIfExists(files.idFile());
        // Without its QEMU no guest is frozen.
        Files.deleteIfExists(files.frozenRecord());
    }

    private DomainInfo requireDomain(String name) {
        DomainInfo info = domain(name);
        if (info == null) {
            throw BackpointException.noDomain(name);
        }
        return info;
    }

    private static DomainDef withUuid(DomainDef def, String uuid) {
        XmlNode root = def.element();
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode c : root.children()) {
            children.add(c);
            if (c.name().equals("name")) {
                children.add(new XmlNode("uuid", List.of(), List.of(), uuid));
            }
        }
        return DomainXml.parse(DomainXml.format(
                new DomainDef(def.type(), def.name(), uuid, def.disks(), root.withChildren(children)),
                EnumSet.of(DomainXml.FormatFlag.SECURE)));
    }
}
