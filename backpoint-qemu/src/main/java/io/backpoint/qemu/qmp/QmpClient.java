package io.backpoint.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A QMP session as the driver uses it: every command goes through {@link #execute(QmpStep)}, the
 * one road from a planner's step list to QEMU (and the one place an observer sees what is sent).
 * Waiting for a job waits on QEMU's job events, not on a timer.
 */
public final class QmpClient implements Closeable {
    /** A re-check of a waited-for job even without an event, in case an event was dropped. */
    private static final Duration EVENT_WAIT = Duration.ofMillis(500);

    private final QmpConnection conn;
    private final Consumer<QmpStep> observer;

    public QmpClient(QmpConnection conn) {
        this(conn, step -> { });
    }

    /** @param observer told of every step before it is sent (tests record what really runs) */
    public QmpClient(QmpConnection conn, Consumer<QmpStep> observer) {
        this.conn = Objects.requireNonNull(conn, "conn");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** Runs one planned step; returns its {@code return} value. */
    public JsonNode execute(QmpStep step) throws IOException {
        observer.accept(step);
        return conn.execute(step.command(), step.arguments());
    }

    /** {@code query-jobs}, parsed. */
    public List<QmpJob> queryJobs() throws IOException {
        JsonNode r = execute(QmpCommands.queryJobs());
        List<QmpJob> jobs = new ArrayList<>();
        for (JsonNode j : r) {
            jobs.add(new QmpJob(j.path("id").asText(), j.path("type").asText(), j.path("status").asText(),
                    j.path("current-progress").asLong(), j.path("total-progress").asLong(),
                    j.hasNonNull("error") ? j.get("error").asText() : null));
        }
        return jobs;
    }

    /**
     * Waits until the job concludes: re-reads {@code query-jobs} whenever QEMU sends an event
     * (JOB_STATUS_CHANGE; events queue from the session's start, so none is missed between the
     * read and the wait).
     */
    public QmpJob awaitConcluded(String jobId, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            QmpJob job = null;
            for (QmpJob j : queryJobs()) {
                if (j.id().equals(jobId)) {
                    job = j;
                }
            }
            if (job == null) {
                throw new QmpException("query-jobs", "DeviceNotFound", "job '" + jobId + "' not found");
            }
            if (job.concluded()) {
                return job;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new QmpTimeoutException("job '" + jobId + "' did not conclude within " + timeout.toMillis()
                        + " ms (status " + job.status() + ")");
            }
            awaitEvent(Duration.ofNanos(Math.min(left, EVENT_WAIT.toNanos())));
        }
    }

    /** Waits up to {@code max} for the next event from QEMU; returns it, or null. */
    public QmpEvent awaitEvent(Duration max) throws IOException {
        try {
            return conn.pollEvent(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a QEMU event");
        }
    }

    /** Whether the session still works (QEMU has not gone away, it was not closed). */
    public boolean isOpen() {
        return conn.isOpen();
    }

    @Override
    public void close() {
        conn.close();
    }
}
