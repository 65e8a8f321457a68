package io.backpoint.image.restore;

import java.nio.file.Path;

/**
 * What a driver knows of one file target of a push backup: the disk it holds, where, in which
 * format, the disk's size, the checkpoint it is incremental since (null for a full backup) and
 * the live disk's source (named as the backing file of a qcow2 incremental).
 */
public record PushTarget(String disk, Path path, ImageFormat format, long virtualSize, String since,
        String liveSource) {}
