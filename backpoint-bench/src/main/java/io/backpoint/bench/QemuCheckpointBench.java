package io.backpoint.bench;

import io.backpoint.qemu.process.Kvm;
import io.backpoint.api.Checkpoint;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoint costs on a real running QEMU (not JMH: a VM per fork would dominate): creation
 * latency with 1, 10, 100 (and more) existing checkpoints, and the time to list 1,000.
 * Run through bench/checkpoint-qemu.sh.
 */
public final class QemuCheckpointBench {
    private static final int SAMPLES = 15;

    private QemuCheckpointBench() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : Files.createTempDirectory("bp-bench").toString());
        String type = Kvm.usable() ? "kvm" : "qemu";
        Path images = Files.createDirectories(root.resolve("images"));
        StringBuilder disks = new StringBuilder();
        for (String t : List.of("vda", "vdb")) {
            Path img = images.resolve(t + ".qcow2");
            run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "1G");
            disks.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                    .append(img).append("'/><target dev='").append(t).append("' bus='virtio'/></disk>");
        }
        String xml = "<domain type='" + type + "'><name>bench</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" + disks + "</devices></domain>";
        try (Connection conn = Connection.open("qemu:///embed?root=" + root.resolve("state"))) {
            Domain dom = conn.defineDomain(xml);
            dom.start();
            try {
                System.out.printf("accelerator: %s%n", type);
                int existing = 0;
                for (int target : new int[] {1, 10, 100, 1000}) {
                    while (existing < target) {
                        dom.createCheckpoint("<domaincheckpoint><name>c" + existing + "</name></domaincheckpoint>", 0);
                        existing++;
                    }
                    List<Long> create = new ArrayList<>();
                    List<Long> delete = new ArrayList<>();
                    for (int i = 0; i < SAMPLES; i++) {
                        long t0 = System.nanoTime();
                        Checkpoint c = dom.createCheckpoint("<domaincheckpoint><name>probe</name></domaincheckpoint>", 0);
                        long t1 = System.nanoTime();
                        c.delete(0);
                        long t2 = System.nanoTime();
                        create.add(t1 - t0);
                        delete.add(t2 - t1);
                    }
                    long t0 = System.nanoTime();
                    List<Checkpoint> all = dom.listCheckpoints(0);
                    for (Checkpoint c : all) {
                        c.definition();
                    }
                    long list = System.nanoTime() - t0;
                    System.out.printf("existing=%4d  create median %6.2f ms  delete median %6.2f ms  list(+defs) of %d: %6.2f ms%n",
                            target, median(create) / 1e6, median(delete) / 1e6, all.size(), list / 1e6);
                }
            } finally {
                dom.destroy();
            }
        }
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("failed: " + String.join(" ", argv));
        }
    }
}
