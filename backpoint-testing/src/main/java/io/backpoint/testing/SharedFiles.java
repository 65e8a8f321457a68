package io.backpoint.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates {@code ../shared} (libvirt's conformance vectors and virsh transcripts), which CI and
 * developers have beside the checkout. Tests that need it skip, with a message, when it is absent.
 */
public final class SharedFiles {
    private SharedFiles() {}

    /** The shared directory, if present: the system property backpoint.shared, else ../shared from the working directory upwards. */
    public static Optional<Path> root() {
        String prop = System.getProperty("backpoint.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Optional.of(Path.of(prop).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("conformance"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A path inside the shared directory; when it is absent the calling test is reported as
     * skipped with this message (never as passed, never as zero tests). CI always has it:
     * {@code .ci/run} stops before the tests when {@code ../shared/conformance} is missing.
     */
    public static Path require(String relative) {
        Optional<Path> p = resolve(relative);
        Assumptions.assumeTrue(p.isPresent(), "../shared/" + relative + " not found: skipped");
        return p.get();
    }

    /** A path inside the shared directory, if the directory is present. */
    public static Optional<Path> resolve(String relative) {
        return root().map(r -> r.resolve(relative)).filter(Files::exists);
    }
}
