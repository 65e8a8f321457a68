package io.backpoint.qemu.backup;

/**
 * What the planner needs to know about a domain disk being backed up.
 *
 * @param disk the target (vda)
 * @param path the disk's top image (a target or scratch image names it as its backing file)
 * @param format the top image's format (qcow2, raw)
 * @param virtualSize the disk's size in bytes: every target and scratch image gets this size
 */
record DiskSource(String disk, String path, String format, long virtualSize) {}
