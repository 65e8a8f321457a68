package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backpoint.api.Connection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged checkpoint file is named on every listing and never touched (no QEMU needed). */
class DamagedMetadataCliTest {
    @TempDir
    Path dir;

    @Test
    void damagedFileIsReportedAndLeftAlone() throws Exception {
        String uri = "qemu:///embed?root=" + dir.resolve("state");
        Files.writeString(dir.resolve("vm.xml"), "<domain type='qemu'><name>vm1</name><memory unit='MiB'>128</memory>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/nonexistent.qcow2'/>"
                + "<target dev='vda' bus='virtio'/></disk></devices></domain>");
        assertThat(run(uri, "define vm.xml")[0]).isEqualTo("0");
        Path chk = Files.createDirectories(dir.resolve("state/checkpoint/vm1"));
        Files.writeString(chk.resolve("bad.xml"), "not xml at all");
        Files.writeString(chk.resolve("ok.xml"),
                "<domaincheckpoint><name>ok</name><creationTime>1600000000</creationTime></domaincheckpoint>\n");

        String[] r = run(uri, "checkpoint-list vm1 --name; checkpoint-create-as vm1 bad");
        assertThat(r[1]).isEqualTo("ok\n\n\n");
        assertThat(r[2]).contains("warning: checkpoint metadata file '" + chk.resolve("bad.xml") + "' is damaged")
                .contains("refusing to overwrite");
        assertThat(Files.readString(chk.resolve("bad.xml"))).isEqualTo("not xml at all");
    }

    private String[] run(String uri, String commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"-c", uri, commands}, java.io.InputStream.nullInputStream(), false,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                dir, Connection::open);
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
