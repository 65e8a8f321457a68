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
import io.backpoint.qemu.img.QemuImg;
import io.backpoint.qemu.process.QemuCommandLine;
import io.backpoint.qemu.process.QemuProcess;
import io.backpoint.qemu.qmp.QmpClient;
import io.backpoint.util.AtomicFiles;
import io.backpoint.util.IoErrors;
import io.backpoint.util.OwnerOnly;
import io.backpoint.util.SafeFileName;
import io.backpoint.vocab.DomainState;
import io.backpoint.xml.DomainXml;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

/**
 * The QEMU driver: no daemon. Definitions and checkpoint metadata live in the state directory;
 * a running domain is a detached QEMU with a pid file and a QMP socket in ROOT/run/NAME. Every
 * call takes the domain's file lock, looks at what is really there (a QEMU that died is noticed
 * and cleaned up), then acts.
 */
public final class QemuDriver implements Driver, DomainLifecycle {
    private static final String LIVE_XML = "live.xml";
    private static final String ID_FILE = "id";

    private final StateLayout layout;
    private final DomainDefinitions definitions;
    private final QemuImg qemuImg = new QemuImg();
    private final QemuCheckpointMechanics mechanics;
    private final QemuBackupMechanics backups;
    private final Clock clock;

    /** How long a state query waits for a monitor another client holds, before saying "running (unknown)". */
    private static final java.time.Duration STATE_QUERY_WAIT = java.time.Duration.ofSeconds(5);

    QemuDriver(StateLayout layout) {
        this(layout, Clock.systemUTC());
    }

    QemuDriver(StateLayout layout, Clock clock) {
        this.layout = layout;
        this.clock = clock;
        this.definitions = new DomainDefinitions(layout);
        this.mechanics = new QemuCheckpointMechanics(this, qemuImg);
        this.backups = new QemuBackupMechanics(this);
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

    @Override
    public DomainDef definition(String name) {
        try (DomainLock lock = lock(name)) {
            Path live = layout.runDir(name).resolve(LIVE_XML);
            if (running(name) && Files.isRegularFile(live)) {
                return DomainXml.parse(XmlInput.readFile(live));
            }
            return definitions.load(name);
        }
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

    @Override
    public DomainLock lock(String name) {
        SafeFileName.require("domain", name);
        try {
            layout.requireOwnState(name);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_DENIED,
                    "refusing the state of domain '" + name + "': " + IoErrors.reason(e), e);
        }
        DomainLock lock = FileDomainLock.acquire(layout.lockFile(name));
        // A process killed during a quiesced instant left the guest frozen: every call thaws it.
        Path record = freezeRecord(name);
        if (Files.exists(record)) {
            try {
                GuestFreeze.recover(record, GuestFreeze.configuredTimeout());
            } catch (RuntimeException e) {
                lock.close();
                throw e;
            }
        }
        return lock;
    }

    /** Says that the guest's file systems may be frozen: written before a freeze, removed after the thaw. */
    private Path freezeRecord(String name) {
        return layout.runDir(name).resolve(name + ".frozen");
    }

    /**
     * The running domain's guest agent, checked to answer, ready to freeze the guest around one
     * instant. ARGUMENT_UNSUPPORTED without an agent channel, AGENT_UNRESPONSIVE when it is silent.
     * Caller holds the domain's lock.
     */
    public GuestFreeze guestFreeze(String name) {
        if (!running(name)) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is not running");
        }
        Path socket = QemuCommandLine.agentSocket(definition(name), layout.runDir(name)).orElseThrow(
                () -> new BackpointException(ErrorCode.ARGUMENT_UNSUPPORTED, "QEMU guest agent is not configured:"
                        + " quiesce needs <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"));
        return GuestFreeze.connect(socket, freezeRecord(name), GuestFreeze.configuredTimeout());
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
        return new QemuBlockJobs(this);
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
            if (backups.jobRecorded(name)) {
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
            backups.forget(name);
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
            Path run = layout.runDir(name);
            try {
                cleanRunDir(run, name);
                OwnerOnly.createDirectories(run);
                AtomicFiles.write(run.resolve(LIVE_XML), DomainXml.format(def,
                        EnumSet.of(DomainXml.FormatFlag.SECURE, DomainXml.FormatFlag.INACTIVE)));
                AtomicFiles.write(run.resolve(ID_FILE), Integer.toString(nextId()) + "\n");
            } catch (IOException e) {
                throw new BackpointException(ErrorCode.OPERATION_FAILED,
                        "cannot prepare run directory '" + run + "': " + IoErrors.reason(e), e);
            }
            DomainProcesses.launch(def, run);
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
            Path run = layout.runDir(name);
            QemuProcess process = DomainProcesses.find(run, name).orElseThrow(
                    () -> BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is not running"));
            DomainProcesses.stop(process, run, name);
            cleanRunDir(run, name);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED, "cannot clean up after domain '" + name + "': " + IoErrors.reason(e), e);
        }
    }

    /** Asks the guest to power down (ACPI); returns at once, as virsh shutdown does. */
    @Override
    public void shutdown(String name) {
        try (DomainLock lock = lock(name)) {
            settleBackup(requireDomain(name));
            try (QmpClient qmp = monitor(name)) {
                qmp.systemPowerdown();
            }
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
        if (!info.active() || !backups.jobRecorded(info.name())) {
            return;
        }
        try {
            backups.jobActive(info);
        } catch (BackpointException e) {
            // Settled later, as described above.
        }
    }

    /** Running or paused, from QEMU itself: a VM stopped with 'stop' (or by an I/O error) is not running. */
    private RunStates.StateAndReason runState(String name) {
        QmpClient qmp;
        try {
            qmp = QmpSessions.open(DomainProcesses.qmpSocket(layout.runDir(name), name), name, STATE_QUERY_WAIT);
        } catch (BackpointException e) {
            // The monitor is held by another client (QEMU serves one at a time) or QEMU is going
            // away: it runs, and whether its vCPUs do cannot be asked. Listing or destroying it
            // must not fail for that.
            return new RunStates.StateAndReason(DomainState.RUNNING, "unknown");
        }
        try (qmp) {
            return RunStates.of(qmp.queryStatus());
        } catch (IOException e) {
            return new RunStates.StateAndReason(DomainState.RUNNING, "unknown");
        }
    }

    /** qemu-monitor-command: a QMP command as JSON, or an HMP command line. */
    @Override
    public String monitorCommand(String name, String command, boolean hmp) {
        try (DomainLock lock = lock(name); QmpClient qmp = monitor(name)) {
            if (hmp) {
                return qmp.humanMonitorCommand(command);
            }
            return QmpPassthrough.execute(qmp, command);
        } catch (IOException e) {
            throw QmpSessions.translate(hmp ? "human-monitor-command" : "qemu-monitor-command", e);
        }
    }

    /** A QMP session to a running domain; OPERATION_INVALID when it is not running. */
    public QmpClient monitor(String name) {
        if (!running(name)) {
            throw BackpointException.of(ErrorCode.OPERATION_INVALID, "domain is not running");
        }
        return QmpSessions.open(DomainProcesses.qmpSocket(layout.runDir(name), name), name);
    }

    /** The disk with this target in the running definition, or null. */
    DomainDiskDef liveDisk(String name, String target) {
        return definition(name).diskByTarget(target);
    }

    /** The domain's run directory (pid file, QMP socket); the default NBD socket of a pull backup goes here. */
    public Path runDir(String name) {
        return layout.runDir(name);
    }

    /** Where the domain's backup job record and last completed job's statistics are kept. */
    public Path backupDir(String name) {
        return layout.backupDir(name);
    }

    /**
     * The pid of the domain's QEMU if it runs. A pid file whose process is gone means QEMU died
     * (killed, crashed): the run directory is cleaned up and the domain is shut off.
     */
    private boolean running(String name) {
        Path run = layout.runDir(name);
        if (!Files.exists(DomainProcesses.pidFile(run, name))) {
            return false;
        }
        if (DomainProcesses.find(run, name).isPresent()) {
            return true;
        }
        try (DomainLock lock = lock(name)) {
            // Look again under the lock: another caller may have started a new QEMU meanwhile,
            // whose files must not be taken for the dead one's.
            if (DomainProcesses.find(run, name).isPresent()) {
                return true;
            }
            cleanRunDir(run, name);
        } catch (IOException e) {
            throw new BackpointException(ErrorCode.OPERATION_FAILED,
                    "cannot clean up after the QEMU of domain '" + name + "' that went away: " + IoErrors.reason(e), e);
        }
        return false;
    }

    private int readId(String name) {
        try {
            return Integer.parseInt(Files.readString(layout.runDir(name).resolve(ID_FILE), StandardCharsets.US_ASCII).trim());
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

    private static void cleanRunDir(Path run, String name) throws IOException {
        if (!Files.isDirectory(run)) {
            return;
        }
        Files.deleteIfExists(DomainProcesses.pidFile(run, name));
        Files.deleteIfExists(DomainProcesses.qmpSocket(run, name));
        Files.deleteIfExists(run.resolve(LIVE_XML));
        Files.deleteIfExists(run.resolve(ID_FILE));
        // Without its QEMU no guest is frozen.
        Files.deleteIfExists(run.resolve(name + ".frozen"));
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
