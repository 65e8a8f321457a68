package io.backpoint.bench;

import io.backpoint.model.CheckpointDef;
import io.backpoint.model.XmlNode;
import io.backpoint.xml.CheckpointFormatFlag;
import io.backpoint.xml.CheckpointParseFlag;
import io.backpoint.xml.CheckpointXml;
import io.backpoint.xml.XmlInput;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What loading checkpoint metadata costs: one stored checkpoint document (with its embedded
 * domain) read back with REDEFINE, schema-validated, and formatted again, for a domain of 2 and
 * of 64 disks. A store with thousands of checkpoints pays this once per file at start-up.
 *
 * <p>Compare parseValidateFormat with baselineParseOnly (same document, same run): machines and
 * their load differ, ratios travel better than microseconds.
 *
 * <p>Run: {@code java -jar backpoint-bench/target/benchmarks.jar CheckpointDocument -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CheckpointDocumentBenchmark {
    private static final Set<CheckpointParseFlag> REDEFINE = EnumSet.of(CheckpointParseFlag.REDEFINE);
    private static final Set<CheckpointFormatFlag> SECURE = EnumSet.of(CheckpointFormatFlag.SECURE);

    @Param({"2", "64"})
    public int disks;

    private String document;

    @Setup(Level.Trial)
    public void setUp() {
        document = checkpoint(disks);
        // fail fast if the generated document is not a fixed point
        String again = CheckpointXml.format(CheckpointXml.parse(document, REDEFINE, null), SECURE);
        if (!again.equals(document)) {
            throw new IllegalStateException("benchmark document does not round-trip:\n" + again);
        }
    }

    @Benchmark
    public String parseValidateFormat() {
        CheckpointDef def = CheckpointXml.parse(document, REDEFINE, null);
        return CheckpointXml.format(def, SECURE);
    }

    /** Baseline in the same run: the hardened well-formedness parse alone, no schema, no mapping, no output. */
    @Benchmark
    public XmlNode baselineParseOnly() {
        return XmlInput.parse(document);
    }

    /** A checkpoint as the metadata store writes it, over a domain with n qcow2 disks. */
    static String checkpoint(int n) {
        StringBuilder disksXml = new StringBuilder();
        StringBuilder devices = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String dev = "vd" + diskSuffix(i);
            disksXml.append("    <disk name='").append(dev).append("' checkpoint='bitmap' bitmap='c42'/>\n");
            devices.append("      <disk type='file' device='disk'>\n")
                    .append("        <driver name='qemu' type='qcow2' cache='none' discard='unmap'/>\n")
                    .append("        <source file='/var/lib/backpoint/images/").append(dev).append(".qcow2'/>\n")
                    .append("        <target dev='").append(dev).append("' bus='virtio'/>\n")
                    .append("        <address type='pci' domain='0x0000' bus='0x").append(String.format("%02x", 1 + i / 32))
                    .append("' slot='0x").append(String.format("%02x", i % 32)).append("' function='0x0'/>\n")
                    .append("      </disk>\n");
        }
        return "<domaincheckpoint>\n"
                + "  <name>c42</name>\n"
                + "  <description>nightly &amp; weekly</description>\n"
                + "  <parent>\n    <name>c41</name>\n  </parent>\n"
                + "  <creationTime>1718000000</creationTime>\n"
                + "  <disks>\n" + disksXml + "  </disks>\n"
                + "  <domain type='kvm'>\n"
                + "    <name>bench</name>\n"
                + "    <uuid>0f8fad5b-d9cb-469f-a165-70867728950e</uuid>\n"
                + "    <memory unit='KiB'>4194304</memory>\n"
                + "    <vcpu placement='static'>4</vcpu>\n"
                + "    <os>\n      <type arch='x86_64' machine='q35'>hvm</type>\n      <boot dev='hd'/>\n    </os>\n"
                + "    <devices>\n"
                + "      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                + devices
                + "      <interface type='network'>\n        <mac address='52:54:00:00:00:01'/>\n"
                + "        <source network='default'/>\n        <model type='virtio'/>\n      </interface>\n"
                + "      <memballoon model='virtio'/>\n"
                + "    </devices>\n"
                + "  </domain>\n"
                + "</domaincheckpoint>\n";
    }

    /** a..z, then aa, ab, ... as guest disk names go. */
    private static String diskSuffix(int i) {
        return i < 26 ? String.valueOf((char) ('a' + i)) : diskSuffix(i / 26 - 1) + (char) ('a' + i % 26);
    }
}
