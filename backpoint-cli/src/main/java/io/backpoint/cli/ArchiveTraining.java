package io.backpoint.cli;

import io.backpoint.api.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The training run of the launcher's class-data archive ({@code -XX:ArchiveClassesAtExit}): a
 * dynamic archive holds only the classes its training loaded, and a training on the test driver
 * alone left out Jackson, the QMP client and the backup code, so a {@code backup-begin} still
 * loaded and verified about 1,100 classes from the jar. This loads every class of the packages a
 * short command runs on (loading does not initialize: no static initializer runs), then runs
 * commands on the test driver and on a daemonless driver in a temporary directory, which brings
 * in the JDK classes and lambda forms those paths use. Nothing outside the temporary directory
 * is touched; its output goes nowhere.
 */
public final class ArchiveTraining {
    /** The AWS SDK (repositories on S3) is left out: its commands are long and it is large. */
    static final List<String> PACKAGES = List.of("io/backpoint/", "com/fasterxml/jackson/", "com/thaiopensource/",
            "org/relaxng/");

    private ArchiveTraining() {}

    public static void main(String[] args) throws IOException {
        loadClasses(Path.of(System.getProperty("java.class.path")));
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        run(nowhere, "-c", "test:///default", "checkpoint-create-as test a; checkpoint-list test --tree; "
                + "checkpoint-dumpxml test a; backup-dumpxml test; domjobinfo test; help");
        Path dir = Files.createTempDirectory("backpoint-training");
        try {
            Path xml = dir.resolve("d.xml");
            Files.writeString(xml, "<domain type='qemu'><name>d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                    + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><disk type='file' device='disk'>"
                    + "<driver name='qemu' type='qcow2'/><source file='" + dir.resolve("d.qcow2")
                    + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>");
            run(nowhere, "-c", "qemu:///embed?root=" + dir.resolve("state"), "define " + xml + "; list --all; dominfo d; "
                    + "domstate d; checkpoint-list d; domjobinfo d; undefine d");
            // What every QMP session opens: a unix socket channel.
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void loadClasses(Path jar) throws IOException {
        ClassLoader loader = ArchiveTraining.class.getClassLoader();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                if (!name.endsWith(".class") || name.contains("-") || PACKAGES.stream().noneMatch(name::startsWith)) {
                    continue; // module-info, package-info, multi-release variants, other libraries
                }
                try {
                    Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                } catch (LinkageError | ClassNotFoundException ex) {
                    // A library class that needs an optional dependency we do not ship: not archived.
                }
            }
        }
    }

    private static void run(PrintStream out, String... args) {
        Main.run(args, InputStream.nullInputStream(), false, out, out, Path.of("").toAbsolutePath(), Connection::open);
    }
}
