package io.backpoint.qemu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.backpoint.driver.DomainLock;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.qemu.testing.TestVm;
import io.backpoint.util.OwnerOnly;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, items 11 and 12: state no other user can read or lock, whatever the umask; a lock
 * wait that ends with a message naming the holder instead of blocking for ever.
 */
class StateSecurityTest {
    /** Takes a shared fcntl lock (as Java's FileChannel.lock does, unlike flock(1)) and holds it until stdin closes. */
    private static final String PERL_HOLDER = "use Fcntl; open(my $f, '<', $ARGV[0]) or exit 3; "
            + "my $fl = pack('ssx4qqlx4', F_RDLCK, 0, 0, 0, 0); fcntl($f, F_SETLK, $fl) or exit 4; $| = 1; print \"held\\n\"; <STDIN>;";

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws Exception {
        for (Process p : children) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void stateCreatedUnderUmask000IsTheOwnersAlone() throws Exception {
        TestVm.assumeQemu();
        Path img = Files.createDirectories(dir.resolve("img"));
        Path xml = Files.writeString(dir.resolve("vm.xml"), TestVm.domainXml("vm1", img, "qcow2"));
        Path state = dir.resolve("state");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("sh", "-c", "umask 000; exec \"$@\"", "sh", java, "-cp",
                System.getProperty("java.class.path"), UmaskChildMain.class.getName(), TestVm.uri(state), xml.toString())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        List<String> seen = new ArrayList<>();
        try (Stream<Path> all = Files.walk(state)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                seen.add(state.relativize(p) + " " + mode);
                assertThat(mode).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
            }
        }
        assertThat(seen).contains("lock/vm1.lock rw-------", "checkpoint/vm1/c1.xml rw-------", "domains rwx------");
    }

    @Test
    void aLockWaitTimesOutNamingTheProcessThatHoldsIt() throws Exception {
        Path lock = Files.createDirectories(dir.resolve("lock")).resolve("vm1.lock");
        FileDomainLock.acquire(lock).close();
        Process holder = hold(lock);
        String real = lock.toRealPath().toString();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long start = System.nanoTime();
            assertThatThrownBy(() -> FileDomainLock.acquire(lock, Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_TIMEOUT);
                        assertThat(e.getMessage()).contains("the domain lock '" + real + "'")
                                .contains("within 2 s").contains("pid " + holder.pid() + " (perl")
                                .contains("read lock");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            // Another kind of lock says which it is.
            assertThatThrownBy(() -> FileDomainLock.acquire(lock, "recovery lock", Duration.ofSeconds(1)))
                    .hasMessageContaining("cannot acquire the recovery lock '" + real + "' within 1 s");
        });
        holder.getOutputStream().close();
        assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        try (DomainLock l = FileDomainLock.acquire(lock, Duration.ofSeconds(10))) {
            assertThat(l).isNotNull();
        }
    }

    /**
     * An install made by an older version (lock directory 0755, lock file 0644) that another user
     * locks: the wait ends naming that user's process, and from then on the file is out of reach.
     */
    @Test
    void anotherUsersLockOnAnOldWorldReadableLockFileIsNamedAndThenLockedOut() throws Exception {
        assumeTrue(OwnerOnly.uid() == 0, "needs root to run a process as another user");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        for (Path p = dir; p.getNameCount() > 1; p = p.getParent()) {
            if (Files.getOwner(p).getName().equals("root") && p.startsWith(dir)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path lockDir = Files.createDirectories(dir.resolve("state/lock"));
        Files.setPosixFilePermissions(dir.resolve("state"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(lockDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lock = Files.createFile(lockDir.resolve("vm1.lock"));
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
        Process holder = hold(lock, "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                assertThatThrownBy(() -> FileDomainLock.acquire(lock, Duration.ofSeconds(2)))
                        .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.getMessage())
                                .contains("pid " + holder.pid() + " (perl")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lockDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock))).isEqualTo("rw-------");
        Process again = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "perl", "-e", PERL_HOLDER, lock.toString()).redirectErrorStream(true).start();
        children.add(again);
        again.getOutputStream().close();
        assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as("another user cannot even open the lock file").isEqualTo(3);
    }

    @Test
    void stateOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue(OwnerOnly.uid() == 0, "needs root to give a file to another user");
        TestVm.assumeQemu();
        Path state = dir.resolve("state");
        try (io.backpoint.api.Connection conn = io.backpoint.api.Connection.open(TestVm.uri(state))) {
            conn.defineDomain(TestVm.domainXml("vm1", Files.createDirectories(dir.resolve("img")), "qcow2"));
            Path planted = Files.createDirectories(state.resolve("backup/vm1")).resolve("job.xml");
            Files.writeString(planted, "<domainbackup/>");
            Files.setOwner(planted, planted.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            assertThatThrownBy(() -> conn.domainByName("vm1").jobInfo(false))
                    .isInstanceOfSatisfying(BackpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_DENIED);
                        assertThat(e.getMessage()).contains("'" + planted + "' is owned by uid 65534");
                    });
        }
    }

    private Process hold(Path file, String... prefix) throws Exception {
        List<String> argv = new ArrayList<>(List.of(prefix));
        argv.addAll(List.of("perl", "-e", PERL_HOLDER, file.toString()));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        children.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(r.readLine()).as("the holder took its lock").isEqualTo("held");
        return p;
    }
}
