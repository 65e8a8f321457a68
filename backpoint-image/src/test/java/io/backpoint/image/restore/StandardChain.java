package io.backpoint.image.restore;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A full backup and two incrementals of one disk with their records (checkpoints c1, c2, c3),
 * and raw snapshots of the live disk at each backup. The writes cover whole and partial
 * clusters, overwrites of earlier data, zero writes and a discard, and data beyond the first
 * backup's last written cluster.
 */
record StandardChain(DiskHistory disk, Path full, Path inc1, Path inc2, Path snap0, Path snap1, Path snap2) {
    static final String DOMAIN = "vm1";

    static StandardChain build(Path dir, ImageFormat fullFormat, boolean records) throws IOException, InterruptedException {
        DiskHistory disk = new DiskHistory(dir);
        disk.guestWrites("write -P 0x11 0 1M", "write -P 0x22 3M 512k", "write -P 0x33 7M 64k");
        Path full = disk.full("full." + fullFormat.spelling(), fullFormat);
        Path snap0 = disk.snapshot("snap0.raw");

        Path inc1 = disk.incremental("inc1.qcow2",
                new String[] {"write -P 0x44 100k 8k", "write -P 0x55 3M 64k", "discard 512k 128k",
                    "write -P 0x66 5M 192k"},
                "write -P 0x44 100k 8k", "write -P 0x55 3M 64k", "write -z 512k 128k", "write -P 0x66 5M 192k");
        Path snap1 = disk.snapshot("snap1.raw");

        Path inc2 = disk.incremental("inc2.qcow2", "write -P 0x77 96k 4k", "write -z 5M 64k",
                "write -P 0x88 8128k 64k");
        Path snap2 = disk.snapshot("snap2.raw");

        if (records) {
            long t = 1_700_000_000L;
            // With the content a completed job records, as Backpoint writes them.
            BackupRecord.write(full, BackupRecord.full(DOMAIN, "vda", "c1", disk.size(), fullFormat, t)
                    .withContent(FileContent.of(full)));
            BackupRecord.write(inc1, BackupRecord.incremental(DOMAIN, "vda", "c2", "c1", disk.size(),
                    ImageFormat.QCOW2, t + 3600, disk.live().toString()).withContent(FileContent.of(inc1)));
            BackupRecord.write(inc2, BackupRecord.incremental(DOMAIN, "vda", "c3", "c2", disk.size(),
                    ImageFormat.QCOW2, t + 7200, disk.live().toString()).withContent(FileContent.of(inc2)));
        }
        // From here on the live disk holds other data: a restore that read through to it fails.
        disk.guestWrites("write -P 0xee 0 " + disk.size());
        return new StandardChain(disk, full, inc1, inc2, snap0, snap1, snap2);
    }
}
