package io.backpoint.qemu.driver;

import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Domain;
import io.backpoint.qemu.testing.RunningVm;
import io.backpoint.qemu.testing.RunningVms;
import io.backpoint.qemu.testing.TestVm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint names qemu-img could take for options are still only names, offline. */
@QemuTest
class CheckpointSafetyQemuTest {
    @RegisterExtension
    static final RunningVms VMS = new RunningVms();

    @TempDir
    Path root;

    @Test
    void checkpointNamesStartingWithADashAreCreatedAndDeletedOffline() throws Exception {
        RunningVm vm = VMS.start(root, 16L << 20, "qcow2");
        Domain dom = vm.dom();
        dom.destroy();
        for (String name : new String[] {"-f", "--help", "-x"}) {
            dom.createCheckpoint("<domaincheckpoint><name>" + name + "</name></domaincheckpoint>", 0);
        }
        String info = Tools.run("qemu-img", "info", "--output=json", vm.image("vda", "qcow2").toString());
        assertThat(info).contains("\"name\": \"-f\"", "\"name\": \"--help\"", "\"name\": \"-x\"");
        assertThat(dom.listCheckpoints(0)).extracting(Checkpoint::name).containsExactlyInAnyOrder("-f", "--help", "-x");
        dom.checkpoint("--help").delete(0);
        dom.checkpoint("-f").delete(0);
        info = Tools.run("qemu-img", "info", "--output=json", vm.image("vda", "qcow2").toString());
        assertThat(info).doesNotContain("\"name\": \"-f\"").doesNotContain("\"--help\"").contains("\"name\": \"-x\"");
        dom.start();
        assertThat(dom.checkpoint("-x").problem()).isEmpty();
    }
}
