package io.backpoint.cli.repository;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the ext2/3/4 file system of a disk image starts: the whole disk, or a partition of its
 * MBR or GPT (primary MBR partitions only; 512-byte sectors).
 */
final class Partitions {
    /** A partition: its number as Linux counts it (1-based) and its first byte. */
    record Partition(int number, long offset) {
    }

    private static final int SECTOR = 512;

    private Partitions() {
    }

    static List<Partition> read(FileChannel disk) throws IOException {
        ByteBuffer mbr = readAt(disk, 0, SECTOR);
        List<Partition> out = new ArrayList<>();
        if ((mbr.get(510) & 0xff) != 0x55 || (mbr.get(511) & 0xff) != 0xaa) {
            return out;
        }
        if ((mbr.get(446 + 4) & 0xff) == 0xee) {
            ByteBuffer header = readAt(disk, SECTOR, 92);
            byte[] signature = new byte[8];
            header.get(0, signature);
            if (!new String(signature, java.nio.charset.StandardCharsets.US_ASCII).equals("EFI PART")) {
                return out;
            }
            long entries = header.getLong(72);
            int count = Math.min(header.getInt(80), 1024);
            int size = header.getInt(84);
            if (size < 128 || size > 4096) {
                return out;
            }
            ByteBuffer table = readAt(disk, entries * SECTOR, count * size);
            for (int i = 0; i < count; i++) {
                int at = i * size;
                if (table.getLong(at) != 0 || table.getLong(at + 8) != 0) { // type GUID zero: unused
                    out.add(new Partition(i + 1, table.getLong(at + 32) * SECTOR));
                }
            }
            return out;
        }
        for (int i = 0; i < 4; i++) {
            int at = 446 + 16 * i;
            int type = mbr.get(at + 4) & 0xff;
            long start = Integer.toUnsignedLong(mbr.getInt(at + 8));
            if (type != 0 && type != 0x05 && type != 0x0f && type != 0x85 && start != 0) {
                out.add(new Partition(i + 1, start * SECTOR));
            }
        }
        return out;
    }

    /** The offset of the file system to read: {@code partition} (null: the whole disk or the first ext partition). */
    static long fileSystem(FileChannel disk, String diskName, Integer partition) throws IOException {
        List<Partition> partitions = read(disk);
        if (partition != null) {
            for (Partition p : partitions) {
                if (p.number() == partition) {
                    return p.offset();
                }
            }
            throw BackpointException.of(ErrorCode.INVALID_ARG, "disk '%s' has no partition %d (it has %s)", diskName,
                    partition, partitions.stream().map(Partition::number).toList());
        }
        if (isExt(disk, 0)) {
            return 0;
        }
        for (Partition p : partitions) {
            if (isExt(disk, p.offset())) {
                return p.offset();
            }
        }
        throw BackpointException.of(ErrorCode.CONFIG_UNSUPPORTED,
                "no ext2/3/4 file system found on disk '%s' (%s); for other file systems mount the served disk "
                        + "(README, \"Files from a snapshot\")", diskName,
                partitions.isEmpty() ? "no partition table" : "partitions " + partitions.stream().map(Partition::number).toList());
    }

    /** The ext superblock's magic 0xEF53, 56 bytes into the superblock at 1024. */
    private static boolean isExt(FileChannel disk, long offset) throws IOException {
        if (offset + 1082 > disk.size()) {
            return false;
        }
        return (readAt(disk, offset + 1080, 2).getShort(0) & 0xffff) == 0xef53;
    }

    private static ByteBuffer readAt(FileChannel disk, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (disk.read(b, offset + b.position()) < 0) {
                break;
            }
        }
        return b.clear();
    }
}
