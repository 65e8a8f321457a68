package io.backpoint.libvirt;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.backpoint.vocab.JobInfo;
import io.backpoint.vocab.JobType;

/** virDomainGetJobStats' typed parameters as a {@link JobInfo}. */
final class LibvirtJobStats {
    private static final int STATS_COMPLETED = 1;
    private static final int STATS_KEEP_COMPLETED = 2;

    private LibvirtJobStats() {}

    static JobInfo read(Libvirt lib, Pointer dom, boolean completed, boolean keepCompleted) {
        IntByReference type = new IntByReference();
        PointerByReference params = new PointerByReference();
        IntByReference n = new IntByReference();
        int flags = (completed ? STATS_COMPLETED : 0) | (keepCompleted ? STATS_KEEP_COMPLETED : 0);
        LibvirtErrors.check(lib.virDomainGetJobStats(dom, type, params, n, flags), "virDomainGetJobStats");
        Pointer p = params.getValue();
        int count = n.getValue();
        try {
            JobType jobType = JobType.NONE;
            for (JobType t : JobType.values()) {
                if (t.number() == type.getValue()) {
                    jobType = t;
                }
            }
            if (jobType == JobType.NONE) {
                return JobInfo.NONE;
            }
            IntByReference operation = new IntByReference();
            lib.virTypedParamsGetInt(p, count, "operation", operation);
            PointerByReference errmsg = new PointerByReference();
            String error = null;
            if (lib.virTypedParamsGetString(p, count, "errmsg", errmsg) == 1 && errmsg.getValue() != null) {
                // Owned by the parameter array, freed with it.
                error = errmsg.getValue().getString(0, "UTF-8");
            }
            return new JobInfo(jobType, operation.getValue(), ull(lib, p, count, "time_elapsed"),
                    ull(lib, p, count, "disk_total"), ull(lib, p, count, "disk_processed"),
                    ull(lib, p, count, "disk_temp_used"), ull(lib, p, count, "disk_temp_total"), error);
        } finally {
            if (p != null) {
                lib.virTypedParamsFree(p, count);
            }
        }
    }

    private static long ull(Libvirt lib, Pointer params, int n, String name) {
        LongByReference v = new LongByReference();
        return lib.virTypedParamsGetULLong(params, n, name, v) == 1 ? v.getValue() : 0;
    }
}
