package io.backpoint.qemu.qmp;

/**
 * The answer to {@code query-status}.
 *
 * @param status QEMU's run state: running, paused, shutdown, inmigrate, ...
 * @param running whether vCPUs are running
 */
public record VmStatus(String status, boolean running) {}
