package io.backpoint.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.api.Checkpoint;
import io.backpoint.api.Connection;
import io.backpoint.api.Domain;
import io.backpoint.driver.DomainLock;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.testing.QemuTest;
import io.backpoint.testing.Tools;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QEMU driver's state handling, without starting a VM (checkpoints are made offline with qemu-img). */
class QemuDriverStateTest {
    @TempDir
    Path dir;

    @Test
    void plusInAnEmbedRootIsKept() {
        assertThat(StateLayout.of(URI.create("qemu:///embed?root=/srv/a+b")).root()).isEqualTo(Path.of("/srv/a+b"));
        assertThat(StateLayout.of(URI.create("qemu:///embed?root=/srv/a%20b")).root()).isEqualTo(Path.of("/srv/a b"));
    }

    @Test
    void aHostInAQemuUriIsRefusedNotTakenForThisMachine() {
        for (String uri : List.of("qemu://otherhost/system", "qemu://otherhost/embed?root=/tmp/x", "qemu://user@h:22/session")) {
            assertThatThrownBy(() -> Connection.open(uri)).isInstanceOfSatisfying(BackpointException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.NO_CONNECT);
                assertThat(e.getMessage()).startsWith("no connection driver available for " + uri + ": ")
                        .contains("this machine only").doesNotContain("no connection driver available: ");
            });
        }
    }

    @Test
    void malformedUrisAreClearErrorsWithoutJavaText() {
        for (String uri : List.of("qemu:///embed?root=/tmp/a%00b", "qemu:///embed?root=/tmp/a%0Ab", "qemu:///sys%00tem",
                "qemu:///embed?root=/tmp/a%zz", "qemu:///embed?root=/tmp/a b")) {
            assertThatThrownBy(() -> Connection.open(uri)).as(uri).isInstanceOfSatisfying(BackpointException.class, e -> {
                assertThat(e.code()).isIn(ErrorCode.INVALID_ARG, ErrorCode.NO_CONNECT);
                assertThat(e.getMessage()).contains(uri).doesNotContainIgnoringCase("exception").doesNotContain("java.");
            });
        }
    }

    @Test
    void plainEmbedHasADefaultRootAndSystemMeansLibvirtd() {
        StateLayout plain = StateLayout.of(URI.create("qemu:///embed"));
        assertThat(plain.uri()).isEqualTo("qemu:///embed");
        assertThat(plain.root()).isEqualTo(StateLayout.defaultRoot());
        assertThat(plain.root().isAbsolute()).isTrue();
        assertThat(plain.root().getFileName()).hasToString("backpoint");
        for (String uri : List.of("qemu:///system", "qemu:///session")) {
            assertThatThrownBy(() -> StateLayout.of(URI.create(uri))).isInstanceOfSatisfying(BackpointException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.NO_CONNECT);
                assertThat(e.getMessage()).contains("qemu:///embed");
            });
        }
    }

    @Test
    void aLockReachedThroughASymlinkWaitsInsteadOfFailing() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real/lock"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (DomainLock lock = FileDomainLock.acquire(real.resolve("vm.lock"))) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        held.await();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch acquired = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (DomainLock lock = FileDomainLock.acquire(link.resolve("lock/vm.lock"))) {
                acquired.countDown();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.start();
        assertThat(acquired.await(300, TimeUnit.MILLISECONDS)).as("second holder must wait").isFalse();
        release.countDown();
        assertThat(acquired.await(10, TimeUnit.SECONDS)).isTrue();
        other.join();
        holder.join();
        assertThat(failure.get()).isNull();
    }

    @Test
    @QemuTest
    void undefineKeepsDamagedCheckpointMetadataUnlessAsked() throws Exception {
        TestVm.assumeQemu();
        try (Connection conn = Connection.open(TestVm.uri(dir.resolve("state")))) {
            Domain dom = conn.defineDomain(TestVm.domainXml("vm1", Files.createDirectories(dir.resolve("img")), "qcow2"));
            Path bad = Files.createDirectories(dir.resolve("state/checkpoint/vm1")).resolve("broken.xml");
            Files.writeString(bad, "not xml");
            assertThatThrownBy(() -> dom.undefine(false)).isInstanceOfSatisfying(BackpointException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID));
            assertThat(bad).hasContent("not xml");
            dom.undefine(true);
            assertThat(bad).doesNotExist();
            assertThat(conn.listAllDomains()).isEmpty();
        }
    }

    @Test
    @QemuTest
    void quiesceOnAShutOffDomainIsRefusedAndCreatesNothing() throws Exception {
        TestVm.assumeQemu();
        try (Connection conn = Connection.open(TestVm.uri(dir.resolve("state")))) {
            Path img = Files.createDirectories(dir.resolve("img"));
            Domain dom = conn.defineDomain(TestVm.domainXml("vm1", img, "qcow2"));
            assertThatThrownBy(() -> dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>",
                    io.backpoint.vocab.CheckpointCreateFlag.QUIESCE.bit())).isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_INVALID);
                        assertThat(e.detail()).isEqualTo("quiesce needs a running domain with a guest agent; domain 'vm1' is shut off");
                    });
            assertThat(dom.listCheckpoints(0)).isEmpty();
            assertThat(Tools.run("qemu-img", "info", TestVm.image(img, "vm1", "vda", "qcow2").toString())).doesNotContain("c1");
        }
    }

    @Test
    void offlineDeleteWithAMissingBitmapRemovesNothing() throws Exception {
        TestVm.assumeQemu();
        try (Connection conn = Connection.open(TestVm.uri(dir.resolve("state")))) {
            Path img = Files.createDirectories(dir.resolve("img"));
            Domain dom = conn.defineDomain(TestVm.domainXml("vm1", img, "qcow2", "qcow2"));
            dom.createCheckpoint("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
            Path vda = TestVm.image(img, "vm1", "vda", "qcow2");
            Path vdb = TestVm.image(img, "vm1", "vdb", "qcow2");
            Tools.run("qemu-img", "bitmap", "--remove", vdb.toString(), "c1");
            assertThatThrownBy(() -> dom.checkpoint("c1").delete(0)).isInstanceOfSatisfying(BackpointException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
                assertThat(e.getMessage()).contains("bitmap 'c1' not found in backing chain of 'vdb'");
            });
            assertThat(Tools.run("qemu-img", "info", vda.toString())).contains("c1");
            assertThat(dom.checkpoint("c1").problem()).hasValueSatisfying(p -> assertThat(p).contains("'vdb'"));
            dom.checkpoint("c1").delete(io.backpoint.vocab.CheckpointDeleteFlag.METADATA_ONLY.bit());
            assertThat(dom.listCheckpoints(0)).isEmpty();
        }
    }

    @Test
    @QemuTest
    void threadsWorkingOnTwoDomainsOfOneConnection() throws Exception {
        TestVm.assumeQemu();
        try (Connection conn = Connection.open(TestVm.uri(dir.resolve("state")))) {
            Path img = Files.createDirectories(dir.resolve("img"));
            conn.defineDomain(TestVm.domainXml("a", img, "qcow2"));
            conn.defineDomain(TestVm.domainXml("b", img, "qcow2"));
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (String name : List.of("a", "b")) {
                Thread t = new Thread(() -> {
                    try {
                        Domain d = conn.domainByName(name);
                        for (int i = 0; i < 8; i++) {
                            d.createCheckpoint("<domaincheckpoint><name>" + name + i + "</name></domaincheckpoint>", 0);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            for (String name : List.of("a", "b")) {
                Domain d = conn.domainByName(name);
                assertThat(d.listCheckpoints(0)).hasSize(8);
                assertThat(d.checkpoint(name + "7").parent().name()).isEqualTo(name + "6");
            }
        }
    }

    @Test
    @QemuTest
    void aCachedTreeIsNotReusedAfterUndefineAndRedefine() throws Exception {
        TestVm.assumeQemu();
        String uri = TestVm.uri(dir.resolve("state"));
        Path img = Files.createDirectories(dir.resolve("img"));
        String xml = TestVm.domainXml("vm1", img, "qcow2");
        try (Connection first = Connection.open(uri); Connection second = Connection.open(uri)) {
            Domain one = first.defineDomain(xml);
            one.createCheckpoint("<domaincheckpoint><name>old</name></domaincheckpoint>", 0);
            assertThat(one.listCheckpoints(0)).extracting(Checkpoint::name).containsExactly("old");
            Domain two = second.domainByName("vm1");
            two.undefine(true);
            Tools.run("qemu-img", "bitmap", "--remove", TestVm.image(img, "vm1", "vda", "qcow2").toString(), "old");
            second.defineDomain(xml).createCheckpoint("<domaincheckpoint><name>new</name></domaincheckpoint>", 0);
            assertThat(one.listCheckpoints(0)).extracting(Checkpoint::name).containsExactly("new");
        }
    }
}
