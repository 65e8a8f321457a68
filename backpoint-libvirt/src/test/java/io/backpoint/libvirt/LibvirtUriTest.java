package io.backpoint.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Connection;
import io.backpoint.error.BackpointException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which URIs go to libvirtd, and what an unreachable libvirtd says (no daemon needed). */
class LibvirtUriTest {
    private final LibvirtHypervisorFactory factory = new LibvirtHypervisorFactory();

    @TempDir
    Path dir;

    @Test
    void virshUrisGoToLibvirtBackpointsOwnStayOwn() {
        for (String uri : new String[] {"qemu:///system", "qemu:///session", "qemu+unix:///system?socket=/run/x.sock",
                "qemu+ssh://root@host/system", "qemu+tcp://host/system", "lxc:///system"}) {
            assertThat(factory.accepts(URI.create(uri))).as(uri).isTrue();
        }
        for (String uri : new String[] {"test:///default", "qemu:///embed", "qemu:///embed?root=/srv/bp"}) {
            assertThat(factory.accepts(URI.create(uri))).as(uri).isFalse();
        }
    }

    @Test
    void unreachableLibvirtdSaysSoAndNamesTheDaemonlessDriver() {
        String uri = "qemu+unix:///system?socket=" + dir.resolve("no-such.sock");
        assertThatThrownBy(() -> Connection.open(uri)).isInstanceOfSatisfying(BackpointException.class, e -> {
            // libvirt's own message first, as virsh prints it, then the way out.
            assertThat(e.getMessage()).startsWith("Failed to connect socket to '" + dir.resolve("no-such.sock") + "'")
                    .contains("libvirtd is not reachable at '" + uri + "'", "qemu:///embed");
            assertThat(e.number()).isEqualTo(38);
            assertThat(e.origin()).isPositive();
        });
    }

    @Test
    void anEmbedUriNeverReachesLibvirt() {
        assertThatThrownBy(() -> Connection.open("qemu:///embed?root=relative")).isInstanceOfSatisfying(
                BackpointException.class, e -> assertThat(e.getMessage()).contains("qemu:///embed?root=/path"));
    }
}
