package io.backpoint.qemu.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmTest {
    @TempDir
    Path dir;

    @Test
    void aRegularFileIsNoKvmEvenWhenItOpensReadWrite() throws Exception {
        Path fake = Files.createFile(dir.resolve("kvm"));
        assertThat(Files.isWritable(fake)).isTrue();
        assertThat(Kvm.usable(fake)).isFalse();
    }

    @Test
    void aMissingDeviceIsNoKvm() {
        assertThat(Kvm.usable(dir.resolve("absent"))).isFalse();
    }
}
