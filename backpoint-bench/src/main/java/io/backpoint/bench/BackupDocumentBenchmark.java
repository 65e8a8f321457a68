package io.backpoint.bench;

import io.backpoint.backup.BackupAlign;
import io.backpoint.model.BackupDef;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.model.XmlNode;
import io.backpoint.xml.BackupParseFlag;
import io.backpoint.xml.BackupXml;
import io.backpoint.xml.XmlInput;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What starting a pull backup costs in document handling: read, validate, extract, align and
 * format a four-disk {@code <domainbackup>}. {@link #xmlReadOnly} is the baseline measured in
 * the same run (the hardened SAX read alone), so results can be compared as ratios.
 *
 * <p>Run: {@code java -jar backpoint-bench/target/benchmarks.jar BackupDocumentBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BackupDocumentBenchmark {
    static final String PULL_FOUR_DISKS = """
            <domainbackup mode='pull'>
              <incremental>chk-2026-01-01</incremental>
              <server transport='tcp' tls='yes' name='localhost' port='10809'/>
              <disks>
                <disk name='vda' type='file' exportname='root' exportbitmap='dirty-root'>
                  <driver type='qcow2'/>
                  <scratch file='/var/lib/backpoint/scratch/vda.qcow2'>
                    <seclabel model='dac' relabel='no'/>
                  </scratch>
                </disk>
                <disk name='vdb' type='file' backupmode='full'/>
                <disk name='vdc' type='block'>
                  <scratch dev='/dev/vg0/scratch-vdc'>
                    <encryption format='luks'>
                      <secret type='passphrase' usage='scratch-vdc'/>
                    </encryption>
                  </scratch>
                </disk>
                <disk name='vdd' incremental='chk-2025-12-01'/>
              </disks>
            </domainbackup>
            """;

    private static final Set<BackupParseFlag> NO_FLAGS = EnumSet.noneOf(BackupParseFlag.class);
    private final DomainDef domain = domain();

    private static DomainDef domain() {
        List<DomainDiskDef> disks = new ArrayList<>();
        for (String t : List.of("vda", "vdb", "vdc", "vdd", "sda")) {
            disks.add(new DomainDiskDef("file", "disk", DiskFormat.QCOW2, "/var/lib/images/" + t + ".qcow2", t, "virtio",
                    false, false));
        }
        return new DomainDef("kvm", "bench", null, disks, new XmlNode("domain", List.of(), List.of(), null));
    }

    @Benchmark
    public XmlNode xmlReadOnly() {
        return XmlInput.parse(PULL_FOUR_DISKS);
    }

    @Benchmark
    public BackupDef parseValidated() {
        return BackupXml.parse(PULL_FOUR_DISKS, NO_FLAGS);
    }

    @Benchmark
    public String parseValidateAlignFormat() {
        BackupDef def = BackupXml.parse(PULL_FOUR_DISKS, NO_FLAGS);
        return BackupXml.format(BackupAlign.align(def, domain, "1767225600"), false);
    }
}
