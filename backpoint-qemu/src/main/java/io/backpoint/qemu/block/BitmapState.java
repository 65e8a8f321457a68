package io.backpoint.qemu.block;

/**
 * One dirty bitmap of one block node, as {@code query-named-block-nodes} reports it.
 *
 * @param node the node it belongs to
 * @param name the bitmap name
 * @param recording whether writes are being recorded (enabled and not inconsistent)
 * @param busy whether a job or export uses it (then it cannot be removed or merged)
 * @param persistent whether it is stored in the qcow2 on close
 * @param inconsistent whether it was not saved cleanly (qcow2 in-use flag at load time)
 * @param granularity bytes per bit
 * @param count dirty bytes
 */
public record BitmapState(String node, String name, boolean recording, boolean busy, boolean persistent,
        boolean inconsistent, long granularity, long count) {}
