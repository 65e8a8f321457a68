package io.backpoint.repo.backup;

/**
 * What a repository backup reports while it runs, for a progress display. {@link #read} is called
 * from worker threads.
 */
public interface BackupListener {
    /** A decision or event worth a line: a disk taken full and why, a checkpoint redefined, a warning. */
    default void note(String line) {
    }

    /** Reading starts: {@code bytes} in all will be read from the VM. */
    default void start(long bytes) {
    }

    /** {@code bytes} more were read and stored. */
    default void read(long bytes) {
    }

    BackupListener NONE = new BackupListener() {
    };
}
