package io.backpoint.libvirt;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.backpoint.vocab.BackupBeginFlag;
import io.backpoint.vocab.CheckpointCreateFlag;
import io.backpoint.vocab.CheckpointDeleteFlag;
import io.backpoint.vocab.CheckpointListFlag;
import io.backpoint.vocab.CheckpointXmlFlag;
import io.backpoint.vocab.DomainState;
import io.backpoint.vocab.JobInfo;
import io.backpoint.driver.BlockJobs;
import io.backpoint.driver.DomainInfo;
import io.backpoint.driver.DomainLifecycle;
import io.backpoint.driver.Hypervisor;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.model.BackupDef;
import io.backpoint.model.CheckpointDef;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import io.backpoint.xml.CheckpointParseFlag;
import io.backpoint.xml.CheckpointXml;
import io.backpoint.xml.DomainXml;
import io.backpoint.model.DomainDef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A connection to libvirtd (or any driver libvirt's client reaches): every operation is libvirt's
 * own call, so libvirtd keeps the checkpoint tree and the jobs. Documents pass Backpoint's parser
 * and validator first, so its clear errors apply; libvirt's answers are returned as libvirt
 * formats them.
 */
final class LibvirtHypervisor implements Hypervisor {
    private static final int VIR_ERR_NO_CONNECT = 5;
    private static final int VIR_ERR_SYSTEM_ERROR = 38;
    private static final int VIR_ERR_NO_DOMAIN = 42;
    private static final int XML_SECURE = 1;
    private static final int XML_INACTIVE = 2;
    private static final int UNDEFINE_CHECKPOINTS_METADATA = 16;
    private static final int MONITOR_HMP = 1;

    private final Libvirt lib;
    private final String uri;
    private Pointer conn;

    private LibvirtHypervisor(Libvirt lib, Pointer conn, String uri) {
        this.lib = lib;
        this.conn = conn;
        this.uri = uri;
    }

    /** virConnectOpenAuth with libvirt's default (console) authentication, as virsh. */
    static LibvirtHypervisor open(String uri) {
        Libvirt lib = Libvirt.get();
        Pointer conn = lib.virConnectOpenAuth(uri, Libvirt.defaultAuth(), 0);
        if (conn == null) {
            BackpointException e = LibvirtErrors.last("virConnectOpenAuth");
            if (e.number() != VIR_ERR_SYSTEM_ERROR && e.number() != VIR_ERR_NO_CONNECT) {
                throw e;
            }
            throw BackpointException.reported(e.number(), e.origin(), e.getMessage()
                    + ": libvirtd is not reachable at '" + uri + "'; start it, or use Backpoint's daemonless"
                    + " driver: -c qemu:///embed");
        }
        String canonical = Libvirt.freeString(lib.virConnectGetURI(conn));
        return new LibvirtHypervisor(lib, conn, canonical == null ? uri : canonical);
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public List<DomainInfo> listDomains() {
        PointerByReference arr = new PointerByReference();
        int n = LibvirtErrors.check(lib.virConnectListAllDomains(conn(), arr, 0), "virConnectListAllDomains");
        List<DomainInfo> out = each(arr, n, this::info, lib::virDomainFree);
        // virsh's order: running domains by id, then the others by name.
        out.sort(Comparator.comparing((DomainInfo d) -> !d.active()).thenComparingInt(DomainInfo::id)
                .thenComparing(DomainInfo::name));
        return out;
    }

    @Override
    public DomainInfo domain(String name) {
        Pointer dom = lib.virDomainLookupByName(conn(), name);
        if (dom == null) {
            BackpointException e = LibvirtErrors.last("virDomainLookupByName");
            if (e.number() == VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
        return withDomain(dom, this::info);
    }

    private DomainInfo info(Pointer dom) {
        String name = lib.virDomainGetName(dom);
        byte[] uuid = new byte[37];
        LibvirtErrors.check(lib.virDomainGetUUIDString(dom, uuid), "virDomainGetUUIDString");
        IntByReference state = new IntByReference();
        IntByReference reason = new IntByReference();
        LibvirtErrors.check(lib.virDomainGetState(dom, state, reason, 0), "virDomainGetState");
        int id = lib.virDomainGetID(dom);
        int persistent = LibvirtErrors.check(lib.virDomainIsPersistent(dom), "virDomainIsPersistent");
        DomainState st = state(state.getValue());
        return new DomainInfo(name, new String(uuid, 0, 36, StandardCharsets.US_ASCII), st,
                id == -1 ? -1 : id, persistent == 1, reason(st, reason.getValue()));
    }

    /** virsh's words for libvirt's state reason numbers (virDomainRunningReason, ...). */
    static String reason(DomainState state, int reason) {
        List<String> words = switch (state) {
            case RUNNING -> List.of("unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
                    "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed");
            case PAUSED -> List.of("unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
                    "from snapshot", "shutting down", "creating snapshot", "starting up", "post-copy", "post-copy failed",
                    "api error");
            case SHUTOFF -> List.of("unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
                    "from snapshot", "daemon");
            case SHUTDOWN -> List.of("unknown", "user");
            case CRASHED -> List.of("unknown", "panicked");
            default -> List.of("unknown");
        };
        return reason >= 0 && reason < words.size() ? words.get(reason) : "unknown";
    }

    private static DomainState state(int number) {
        for (DomainState s : DomainState.values()) {
            if (s.number() == number) {
                return s;
            }
        }
        return DomainState.NOSTATE;
    }

    @Override
    public String domainXml(String name, boolean secure, boolean inactive) {
        return onDomain(name, dom -> Libvirt.freeString(LibvirtErrors.check(
                lib.virDomainGetXMLDesc(dom, (secure ? XML_SECURE : 0) | (inactive ? XML_INACTIVE : 0)), "virDomainGetXMLDesc")));
    }

    @Override
    public BlockJobs blockJobs(String function) {
        return new LibvirtBlockJobs(lib, this);
    }

    @Override
    public DomainLifecycle lifecycle(String function) {
        return new DomainLifecycle() {
            @Override
            public String define(String xml) {
                return withDomain(LibvirtErrors.check(lib.virDomainDefineXML(conn(), xml), "virDomainDefineXML"),
                        lib::virDomainGetName);
            }

            @Override
            public void undefine(String name, boolean checkpointsMetadata) {
                LibvirtHypervisor.this.undefine(name, checkpointsMetadata);
            }

            @Override
            public void start(String name) {
                onDomain(name, dom -> LibvirtErrors.check(lib.virDomainCreate(dom), "virDomainCreate"));
            }

            @Override
            public void destroy(String name) {
                onDomain(name, dom -> LibvirtErrors.check(lib.virDomainDestroy(dom), "virDomainDestroy"));
            }

            @Override
            public void shutdown(String name) {
                onDomain(name, dom -> LibvirtErrors.check(lib.virDomainShutdown(dom), "virDomainShutdown"));
            }

            @Override
            public String monitorCommand(String name, String command, boolean hmp) {
                Libvirt.Qemu qemu = Libvirt.qemu();
                return onDomain(name, dom -> {
                    PointerByReference result = new PointerByReference();
                    LibvirtErrors.check(qemu.virDomainQemuMonitorCommand(dom, command, result, hmp ? MONITOR_HMP : 0),
                            "virDomainQemuMonitorCommand");
                    return Libvirt.freeString(result.getValue());
                });
            }
        };
    }

    @Override
    public void undefine(String name, boolean checkpointsMetadata) {
        onDomain(name, dom -> LibvirtErrors.check(
                lib.virDomainUndefineFlags(dom, checkpointsMetadata ? UNDEFINE_CHECKPOINTS_METADATA : 0), "virDomainUndefineFlags"));
    }

    @Override
    public String checkpointCreate(String domain, String xml, Set<CheckpointCreateFlag> flags) {
        if (xml != null) {
            // Backpoint's parser and schema first: its errors name what is wrong and what to do.
            CheckpointXml.parse(xml, flags.contains(CheckpointCreateFlag.REDEFINE)
                    ? EnumSet.of(CheckpointParseFlag.REDEFINE) : EnumSet.noneOf(CheckpointParseFlag.class), Clock.systemUTC());
        }
        return onDomain(domain, dom -> withCheckpoint(LibvirtErrors.check(
                lib.virDomainCheckpointCreateXML(dom, xml, CheckpointCreateFlag.toMask(flags)), "virDomainCheckpointCreateXML"),
                lib::virDomainCheckpointGetName));
    }

    @Override
    public void requireCheckpoint(String domain, String name) {
        onCheckpoint(domain, name, chk -> null);
    }

    @Override
    public List<String> checkpointList(String domain, String from, Set<CheckpointListFlag> flags) {
        int mask = CheckpointListFlag.toMask(flags);
        PointerByReference arr = new PointerByReference();
        int n = from == null
                ? onDomain(domain, dom -> LibvirtErrors.check(lib.virDomainListAllCheckpoints(dom, arr, mask), "virDomainListAllCheckpoints"))
                : onCheckpoint(domain, from, chk -> LibvirtErrors.check(
                        lib.virDomainCheckpointListAllChildren(chk, arr, mask), "virDomainCheckpointListAllChildren"));
        return each(arr, n, lib::virDomainCheckpointGetName, lib::virDomainCheckpointFree);
    }

    @Override
    public String checkpointParent(String domain, String name) {
        return onCheckpoint(domain, name, chk -> withCheckpoint(LibvirtErrors.check(
                lib.virDomainCheckpointGetParent(chk, 0), "virDomainCheckpointGetParent"), lib::virDomainCheckpointGetName));
    }

    @Override
    public CheckpointDef checkpointDefinition(String domain, String name) {
        return CheckpointXml.parse(checkpointXml(domain, name, EnumSet.noneOf(CheckpointXmlFlag.class)),
                EnumSet.of(CheckpointParseFlag.REDEFINE), Clock.systemUTC());
    }

    @Override
    public String checkpointXml(String domain, String name, Set<CheckpointXmlFlag> flags) {
        return onCheckpoint(domain, name, chk -> Libvirt.freeString(LibvirtErrors.check(
                lib.virDomainCheckpointGetXMLDesc(chk, CheckpointXmlFlag.toMask(flags)), "virDomainCheckpointGetXMLDesc")));
    }

    @Override
    public Map<String, String> checkpointProblems(String domain, String name) {
        String sized = checkpointXml(domain, name, EnumSet.of(CheckpointXmlFlag.SIZE, CheckpointXmlFlag.NO_DOMAIN));
        return LibvirtBitmapCheck.problems(sized, DomainXml.parse(domainXml(domain, false, false)));
    }

    @Override
    public void checkpointDelete(String domain, String name, Set<CheckpointDeleteFlag> flags) {
        onCheckpoint(domain, name, chk -> LibvirtErrors.check(
                lib.virDomainCheckpointDelete(chk, CheckpointDeleteFlag.toMask(flags)), "virDomainCheckpointDelete"));
    }

    @Override
    public String backupBegin(String domain, String backupXml, String checkpointXml, Set<BackupBeginFlag> flags) {
        if (backupXml != null) {
            LibvirtRecords.checkFree(BackupXml.parse(backupXml, EnumSet.noneOf(BackupParseFlag.class)),
                    flags.contains(BackupBeginFlag.REUSE_EXTERNAL));
        }
        CheckpointDef checkpoint = checkpointXml == null ? null
                : CheckpointXml.parse(checkpointXml, EnumSet.noneOf(CheckpointParseFlag.class), Clock.systemUTC());
        long began = System.currentTimeMillis();
        if (flags.contains(BackupBeginFlag.QUIESCE)) {
            Set<BackupBeginFlag> rest = EnumSet.noneOf(BackupBeginFlag.class);
            rest.addAll(flags);
            rest.remove(BackupBeginFlag.QUIESCE);
            beginFrozen(domain, backupXml, checkpointXml, rest);
        } else {
            onDomain(domain, dom -> LibvirtErrors.check(
                    lib.virDomainBackupBegin(dom, backupXml, checkpointXml, BackupBeginFlag.toMask(flags)), "virDomainBackupBegin"));
        }
        // libvirt writes no restore records; Backpoint does, from the job as libvirt filled it in.
        String created = checkpoint == null ? null : checkpoint.name();
        try {
            onDomain(domain, dom -> {
                String current = Libvirt.freeString(lib.virDomainBackupGetXMLDesc(dom, 0));
                if (current == null) {
                    // A push job so short it has ended already: the XML libvirt filled in is gone.
                    lib.virResetLastError();
                    current = backupXml;
                }
                BackupDef def = BackupXml.parseJob(current);
                DomainDef live = DomainXml.parse(Libvirt.freeString(lib.virDomainGetXMLDesc(dom, 0)));
                LibvirtRecords.write(domain, def, created, began, live, disk -> capacity(dom, disk),
                        flags.contains(BackupBeginFlag.REUSE_EXTERNAL));
                return null;
            });
        } catch (BackpointException e) {
            throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                    "the backup began, but its restore records could not be written: %s", e.getMessage());
        }
        // libvirt names no jobs: jobOutcome reads its completed statistics.
        return null;
    }

    @Override
    public JobInfo jobOutcome(String domain, String jobId) {
        return jobInfo(domain, true, true);
    }

    private long capacity(Pointer dom, String disk) {
        long[] info = new long[3];
        LibvirtErrors.check(lib.virDomainGetBlockInfo(dom, disk, info, 0), "virDomainGetBlockInfo");
        return info[0];
    }

    @Override
    public String backupXml(String domain) {
        return onDomain(domain, dom -> Libvirt.freeString(LibvirtErrors.check(
                lib.virDomainBackupGetXMLDesc(dom, 0), "virDomainBackupGetXMLDesc")));
    }

    @Override
    public JobInfo jobInfo(String domain, boolean completed, boolean keepCompleted) {
        return onDomain(domain, dom -> LibvirtJobStats.read(lib, dom, completed, keepCompleted));
    }

    @Override
    public void abortJob(String domain) {
        onDomain(domain, dom -> LibvirtErrors.check(lib.virDomainAbortJob(dom), "virDomainAbortJob"));
    }

    @Override
    public synchronized void close() {
        if (conn != null) {
            lib.virConnectClose(conn);
            conn = null;
        }
    }

    private synchronized Pointer conn() {
        if (conn == null) {
            throw new BackpointException(ErrorCode.INVALID_ARG, "the connection to '" + uri + "' is closed");
        }
        return conn;
    }

    /**
     * libvirt has no quiesce flag for backups; Backpoint's QUIESCE becomes the agent freeze libvirt
     * offers (virDomainFSFreeze), held only around the begin, which fixes the backup's point in
     * time. The guest is thawed whatever happens; a job that began but could not be followed by a
     * thaw is aborted, so no caller is left with a running job and a frozen guest.
     */
    private void beginFrozen(String domain, String backupXml, String checkpointXml, Set<BackupBeginFlag> rest) {
        onDomain(domain, dom -> {
            LibvirtErrors.check(lib.virDomainFSFreeze(dom, null, 0, 0), "virDomainFSFreeze");
            BackpointException failed = null;
            try {
                LibvirtErrors.check(lib.virDomainBackupBegin(dom, backupXml, checkpointXml,
                        BackupBeginFlag.toMask(rest)), "virDomainBackupBegin");
            } catch (BackpointException e) {
                failed = e;
            }
            try {
                LibvirtErrors.check(lib.virDomainFSThaw(dom, null, 0, 0), "virDomainFSThaw");
            } catch (BackpointException thaw) {
                if (failed != null) {
                    failed.addSuppressed(thaw);
                    throw failed;
                }
                lib.virDomainAbortJob(dom);
                lib.virResetLastError();
                throw BackpointException.of(ErrorCode.OPERATION_FAILED,
                        "the backup job of domain '%s' was aborted because thawing its file systems failed: %s; "
                                + "check the guest agent and run 'virsh domfsthaw %s'", domain, thaw.getMessage(), domain);
            }
            if (failed != null) {
                throw failed;
            }
            return null;
        });
    }

    /** Runs {@code body} on the named domain's handle, freed afterwards; libvirt's error when there is none. */
    <T> T onDomain(String name, Function<Pointer, T> body) {
        return withDomain(LibvirtErrors.check(lib.virDomainLookupByName(conn(), name), "virDomainLookupByName"), body);
    }

    /** Runs {@code body} on the named checkpoint's handle, freed afterwards; libvirt's error when there is none. */
    private <T> T onCheckpoint(String domain, String name, Function<Pointer, T> body) {
        return onDomain(domain, dom -> withCheckpoint(LibvirtErrors.check(
                lib.virDomainCheckpointLookupByName(dom, name, 0), "virDomainCheckpointLookupByName"), body));
    }

    private <T> T withDomain(Pointer dom, Function<Pointer, T> body) {
        return using(dom, body, lib::virDomainFree);
    }

    private <T> T withCheckpoint(Pointer chk, Function<Pointer, T> body) {
        return using(chk, body, lib::virDomainCheckpointFree);
    }

    /** The one shape of every handle libvirt returns: use it, then free it whatever happens. */
    private static <T> T using(Pointer handle, Function<Pointer, T> body, Consumer<Pointer> free) {
        try {
            return body.apply(handle);
        } finally {
            free.accept(handle);
        }
    }

    /**
     * Reads each of the {@code n} handles of an array a virXxxListAll call filled in, then frees
     * every handle and the array itself, whether or not a read failed.
     */
    private static <T> List<T> each(PointerByReference array, int n, Function<Pointer, T> read, Consumer<Pointer> free) {
        Pointer[] handles = n == 0 ? new Pointer[0] : array.getValue().getPointerArray(0, n);
        List<T> out = new ArrayList<>(n);
        try {
            for (Pointer h : handles) {
                out.add(read.apply(h));
            }
        } finally {
            for (Pointer h : handles) {
                free.accept(h);
            }
            if (array.getValue() != null) {
                com.sun.jna.Native.free(Pointer.nativeValue(array.getValue()));
            }
        }
        return out;
    }
}
