package io.backpoint.checkpoint;

import io.backpoint.driver.test.TestDriver;
import io.backpoint.model.CheckpointDef;
import io.backpoint.model.CheckpointDiskDef;
import io.backpoint.model.CheckpointType;
import io.backpoint.model.DomainDef;
import io.backpoint.xml.CheckpointFormatFlag;
import io.backpoint.xml.CheckpointXml;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The victim of {@link StoreCrashTest}, run in its own JVM: rewrites the same checkpoint files
 * with version B, then A, then B, ... until it is killed. Prints "ready" once its store is open
 * so the test can time its kill into the writes rather than into JVM start-up.
 */
public final class StoreCrashWriter {
    static final List<String> NAMES = List.of("cp-0", "cp-1", "cp-2", "cp-3");

    private StoreCrashWriter() {}

    /** Version 'A' or 'B' of a checkpoint: same name, parent and domain, a different description of a few KiB. */
    static CheckpointDef version(String name, char version) {
        StringBuilder description = new StringBuilder();
        for (int line = 0; description.length() < 6 * 1024; line++) {
            description.append("version ").append(version).append(" of ").append(name).append(", line ").append(line)
                    .append(": ").append(String.valueOf(version).repeat(60)).append('\n');
        }
        int index = NAMES.indexOf(name);
        String parent = index <= 0 ? null : NAMES.get(index - 1);
        return new CheckpointDef(name, description.toString(), parent, 1_700_000_000L + index,
                List.of(new CheckpointDiskDef("vda", CheckpointType.BITMAP, name, null)), DOMAIN);
    }

    /** The exact bytes the store writes for a version. */
    static String expectedFile(String name, char version) {
        return CheckpointXml.format(version(name, version), EnumSet.of(CheckpointFormatFlag.SECURE));
    }

    private static final DomainDef DOMAIN =
            TestDriver.open(URI.create("test:///default")).definition("test");

    public static void main(String[] args) {
        FileCheckpointStore store = new FileCheckpointStore(Path.of(args[0]));
        List<CheckpointDef> a = new ArrayList<>();
        List<CheckpointDef> b = new ArrayList<>();
        for (String name : NAMES) {
            a.add(version(name, 'A'));
            b.add(version(name, 'B'));
        }
        System.out.println("ready");
        System.out.flush();
        for (long round = 0; ; round++) {
            for (CheckpointDef def : round % 2 == 0 ? b : a) {
                store.save(def);
            }
        }
    }
}
