package io.backpoint.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds {@code ../shared} for the CLI tests, as core's SharedFiles does (core's test classes are
 * not on this module's class path): the backpoint.shared property, else a {@code shared}
 * directory with {@code conformance} in it, from the working directory upwards.
 */
final class SharedDir {
    private SharedDir() {}

    static Optional<Path> resolve(String relative) {
        String prop = System.getProperty("backpoint.shared");
        if (prop != null && Files.isDirectory(Path.of(prop).resolve(relative))) {
            return Optional.of(Path.of(prop).resolve(relative).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve(relative);
            if (Files.isDirectory(dir.resolve("shared").resolve("conformance")) && Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
