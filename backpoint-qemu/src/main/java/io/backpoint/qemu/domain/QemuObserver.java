package io.backpoint.qemu.domain;

import io.backpoint.qemu.qmp.QmpStep;

/**
 * What a domain's seam does that costs: QMP sessions opened, commands sent, live definitions
 * parsed. Production passes {@link #NONE}; tests record, to prove that every command comes from
 * a planner and that one call opens one session and parses once.
 */
public interface QemuObserver {
    QemuObserver NONE = new QemuObserver() { };

    default void sessionOpened(String domain) {}

    default void sent(String domain, QmpStep step) {}

    default void definitionParsed(String domain) {}
}
