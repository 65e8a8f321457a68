package io.backpoint.qemu.agent;

/**
 * {@code guest-exec-status}: a command run in the guest, finished or not.
 *
 * @param exitCode the exit status, or -1 while running or when killed by a signal
 * @param out captured standard output (empty when not captured)
 * @param err captured standard error
 */
public record ExecStatus(boolean exited, int exitCode, byte[] out, byte[] err) {
    public ExecStatus {
        out = out.clone();
        err = err.clone();
    }

    @Override
    public byte[] out() {
        return out.clone();
    }

    @Override
    public byte[] err() {
        return err.clone();
    }
}
