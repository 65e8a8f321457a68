package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.repo.Compression;
import io.backpoint.repo.DiskMode;
import io.backpoint.repo.DiskWriter;
import io.backpoint.repo.Repository;
import io.backpoint.repo.SnapshotWriter;
import io.backpoint.testing.Tools;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ls and cat against ext4 images made by {@code mke2fs -d} from a known tree: a whole-disk file
 * system, and one in the first partition of an MBR disk and of a GPT disk.
 */
class FileCommandTest {
    private static final int CHUNK = 64 << 10;
    private static final long PART_START = 2048L * 512;

    @TempDir
    Path dir;

    private byte[] blob;

    @BeforeEach
    void tree() throws Exception {
        Tools.assumeOnPath("nbdfuse", "mkfs.ext4");
        Assumptions.assumeTrue(Tools.run("id", "-u").strip().equals("0") && Files.exists(Path.of("/dev/fuse")),
                "root and /dev/fuse are needed");
        Path src = Files.createDirectories(dir.resolve("src/etc/deep dir"));
        Files.writeString(src.getParent().resolve("hostname"), "snapshot-host\n");
        blob = new byte[300_000];
        new Random(5).nextBytes(blob);
        Files.write(src.resolve("blob.bin"), blob);
    }

    /** An ext4 image of the tree, placed at {@code offset} of a {@code size}-byte disk. */
    private byte[] disk(long size, long offset) throws Exception {
        Path fs = dir.resolve("fs.raw");
        Files.deleteIfExists(fs);
        Tools.run("mkfs.ext4", "-q", "-F", "-d", dir.resolve("src").toString(), fs.toString(), "16M");
        byte[] image = Files.readAllBytes(fs);
        byte[] disk = new byte[(int) size];
        System.arraycopy(image, 0, disk, (int) offset, image.length);
        return disk;
    }

    private void store(String domain, byte[] disk) {
        Path repo = dir.resolve("repo");
        try (Repository repository = Files.exists(repo) ? Repository.open(repo.toString())
                        : Repository.init(repo.toString(), CHUNK, Compression.ZSTD);
                SnapshotWriter writer = repository.newSnapshot(domain, "<domain><name>" + domain + "</name></domain>",
                        Instant.parse("2026-03-01T00:00:00Z"))) {
            DiskWriter d = writer.disk("vda", disk.length, DiskMode.FULL, "test", Optional.empty());
            for (int i = 0; i < d.chunkCount(); i++) {
                d.put(i, ByteBuffer.wrap(disk, i * CHUNK, d.chunkLength(i)));
            }
            writer.checkpoint("cp1", "<domaincheckpoint/>");
            writer.commit();
        }
    }

    private CliRun run(String... args) {
        return CliRun.of(dir, "", args);
    }

    private void readsTheTree(String domain, String... extra) throws Exception {
        CliRun ls = run(concat(new String[] {"ls", "--repo", "repo", domain + ":latest", "--disk", "vda", "/etc"}, extra));
        assertThat(ls.status()).as(ls.stderr()).isZero();
        assertThat(ls.stdout()).contains("hostname").contains("deep dir");
        CliRun cat = run(concat(new String[] {"cat", "--repo", "repo", domain + ":latest", "--disk", "vda",
                "/etc/hostname"}, extra));
        assertThat(cat.status()).as(cat.stderr()).isZero();
        assertThat(cat.stdout()).isEqualTo("snapshot-host\n");
        Path out = dir.resolve(domain + ".bin");
        Process p = new ProcessBuilder(concat(new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "cat", "--repo", "repo",
                domain + ":latest", "--disk", "vda", "/etc/deep dir/blob.bin"}, extra)).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(new File("/dev/null")).start();
        assertThat(p.waitFor()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(blob);
    }

    @Test
    void wholeDiskFileSystem() throws Exception {
        java.util.Set<Path> before = privateDirs();
        store("plain", disk(16 << 20, 0));
        readsTheTree("plain");
        CliRun missing = run("cat", "--repo", "repo", "plain:latest", "--disk", "vda", "/etc/nope");
        assertThat(missing.status()).isNotZero();
        assertThat(missing.stderr()).contains("/etc/nope").contains("not found").doesNotContain("Exception");
        java.util.Set<Path> after = privateDirs();
        after.removeAll(before);
        assertThat(after).as("private directories the commands left behind").isEmpty();
    }

    @Test
    void firstPartitionOfAnMbrDisk() throws Exception {
        byte[] disk = disk(20 << 20, PART_START);
        ByteBuffer mbr = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
        mbr.put(446 + 4, (byte) 0x83).putInt(446 + 8, 2048).putInt(446 + 12, 16 << 11);
        mbr.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        store("mbr", disk);
        readsTheTree("mbr");
        readsTheTree("mbr", "--partition", "1");
        CliRun wrong = run("ls", "--repo", "repo", "mbr:latest", "--disk", "vda", "--partition", "3");
        assertThat(wrong.stderr()).contains("no partition 3");
    }

    @Test
    void firstPartitionOfAGptDisk() throws Exception {
        byte[] disk = disk(20 << 20, PART_START);
        ByteBuffer b = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
        b.put(446 + 4, (byte) 0xee).putInt(446 + 8, 1).put(510, (byte) 0x55).put(511, (byte) 0xaa);
        b.position(512);
        b.put("EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putLong(512 + 72, 2).putInt(512 + 80, 128).putInt(512 + 84, 128);
        int entry = 2 * 512; // partition 1: a Linux data type GUID, first LBA 2048
        b.putLong(entry, 0x477284830fc63dafL).putLong(entry + 8, 0xe47d47d8693d798eL);
        b.putLong(entry + 32, 2048).putLong(entry + 40, 2048 + (16 << 11) - 1);
        store("gpt", disk);
        readsTheTree("gpt");
    }

    @Test
    void aDiskWithoutAnExtFileSystemIsAClearError() {
        store("blank", new byte[4 << 20]);
        CliRun r = run("ls", "--repo", "repo", "blank:latest", "--disk", "vda");
        assertThat(r.status()).isNotZero();
        assertThat(r.stderr()).contains("no ext2/3/4 file system found on disk 'vda'").doesNotContain("Exception");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The commands' private directories under java.io.tmpdir (this user's and other runs' too). */
    private static java.util.Set<Path> privateDirs() throws java.io.IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(f -> f.getFileName().toString().startsWith("backpoint-files-"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }
}
