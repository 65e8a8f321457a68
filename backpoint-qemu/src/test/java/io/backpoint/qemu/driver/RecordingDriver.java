package io.backpoint.qemu.driver;

import io.backpoint.api.Connection;
import io.backpoint.qemu.domain.QemuObserver;
import io.backpoint.qemu.qmp.QmpStep;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A QEMU connection whose driver records what its domains' seams do: every QMP step sent, the
 * sessions opened and the definitions parsed. Tests compare the steps with the planners' output.
 */
public final class RecordingDriver implements QemuObserver {
    private final List<QmpStep> sent = new ArrayList<>();
    private int sessions;
    private int parses;

    /** A connection to the state directory of {@code uri} (qemu:///embed?root=...) that records into this. */
    public Connection connect(String uri) {
        return Connection.of(new QemuDriver(StateLayout.of(URI.create(uri)), Clock.systemUTC(), this));
    }

    @Override
    public synchronized void sessionOpened(String domain) {
        sessions++;
    }

    @Override
    public synchronized void sent(String domain, QmpStep step) {
        sent.add(step);
    }

    @Override
    public synchronized void definitionParsed(String domain) {
        parses++;
    }

    /** Forgets what was recorded so far. */
    public synchronized void clear() {
        sent.clear();
        sessions = 0;
        parses = 0;
    }

    public synchronized List<QmpStep> sent() {
        return List.copyOf(sent);
    }

    public synchronized int sessions() {
        return sessions;
    }

    public synchronized int parses() {
        return parses;
    }
}
