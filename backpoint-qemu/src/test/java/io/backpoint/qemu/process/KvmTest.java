package io.backpoint.qemu.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVM check never creates the device, and an ordinary file is not KVM. */
class KvmTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDeviceIsNotUsableAndIsNotCreated() {
        Path kvm = dir.resolve("kvm");
        assertThat(Kvm.usable(kvm)).isFalse();
        assertThat(kvm).doesNotExist();
    }

    @Test
    void aRegularFileIsNotKvm() throws Exception {
        Path kvm = Files.createFile(dir.resolve("kvm"));
        assertThat(Kvm.usable(kvm)).isFalse();
    }
}
