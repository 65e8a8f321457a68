package io.backpoint.qemu.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up and tear-down of the real-QEMU domain tests, registered as a static
 * {@code @RegisterExtension} field: {@link #start} skips the test when a binary is missing and
 * starts its {@link RunningVm}; {@link #embed} does the same for tests that define and start
 * their domains themselves (through the CLI). After each test the VM is closed and every domain
 * of an embedded driver destroyed (after the class's own {@code @AfterEach} methods), and after
 * all tests no QEMU may still name a test's directory. Tests of one class run one at a time, as
 * JUnit runs them by default.
 */
public final class RunningVms implements AfterEachCallback, AfterAllCallback {
    private final StrayProcesses strays = new StrayProcesses();
    private final String[] tools;
    private RunningVm current;
    private final List<String> embedded = new ArrayList<>();

    /** {@code tools}: binaries the tests need beside qemu-system-x86_64 and qemu-img. */
    public RunningVms(String... tools) {
        this.tools = tools.clone();
    }

    /** Starts the test's domain in {@code root} (see {@link RunningVm#start}); skips the test when a binary is missing. */
    public RunningVm start(Path root, long diskSize, String... formats) throws IOException, InterruptedException {
        TestVm.assumeQemu();
        TestVm.assumeTools(tools);
        strays.watch(root);
        current = RunningVm.start(root, diskSize, formats);
        return current;
    }

    /**
     * The URI of a daemonless driver with its state in {@code root/state}, whose domains the test
     * defines and starts itself; skips the test when a binary is missing.
     */
    public String embed(Path root) {
        TestVm.assumeQemu();
        TestVm.assumeTools(tools);
        strays.watch(root);
        String uri = TestVm.uri(root.resolve("state"));
        embedded.add(uri);
        return uri;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RunningVm vm = current;
        current = null;
        List<String> uris = List.copyOf(embedded);
        embedded.clear();
        try {
            if (vm != null) {
                vm.close();
            }
        } finally {
            for (String uri : uris) {
                TestVm.destroyAll(uri);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
        strays.assertNone();
    }
}
