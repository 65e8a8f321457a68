package io.backpoint.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reasons, not the path again (issue 8, item 21: "failed to create image file 'X': X"). */
class IoErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsNamedAsStrerrorNamesIt() {
        Path file = dir.resolve("missing/file");
        try {
            Files.createFile(file);
        } catch (IOException e) {
            assertThat(e.getMessage()).isEqualTo(file.toString());
            assertThat(IoErrors.reason(e)).isEqualTo("No such file or directory");
            return;
        }
        throw new AssertionError("created " + file);
    }

    @Test
    void aProgramThatCannotRunSaysWhyOnce() {
        try {
            new ProcessBuilder(dir.resolve("no-such-program").toString()).start();
        } catch (IOException e) {
            assertThat(IoErrors.reason(e)).isEqualTo("No such file or directory");
            return;
        }
        throw new AssertionError("started");
    }
}
