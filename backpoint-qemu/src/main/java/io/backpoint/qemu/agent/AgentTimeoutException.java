package io.backpoint.qemu.agent;

import java.io.IOException;

/**
 * The guest agent did not answer in time: no agent runs in the guest, it hangs, or the guest is
 * too slow. The connection is closed, since a late reply would be taken for the next one's.
 */
public final class AgentTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    AgentTimeoutException(String message) {
        super(message);
    }
}
