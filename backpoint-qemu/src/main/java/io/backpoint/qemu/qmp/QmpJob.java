package io.backpoint.qemu.qmp;

/**
 * One entry of {@code query-jobs}.
 *
 * @param id the job id
 * @param type backup, create, commit, ...
 * @param status created, running, paused, ready, waiting, pending, aborting, concluded, null
 * @param currentProgress work done, in an arbitrary unit (bytes for block jobs)
 * @param totalProgress the estimated total, same unit
 * @param error the failure description when a concluded job failed, else null
 */
public record QmpJob(String id, String type, String status, long currentProgress, long totalProgress, String error) {
    public boolean concluded() {
        return "concluded".equals(status);
    }
}
