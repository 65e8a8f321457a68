package io.backpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core's packages are layers: each may use only the packages listed before it. This keeps the
 * rules of issue 9 from drifting back: the driver SPI does not see the API, the model does not
 * see the XML codec, the engine does not see the API; vocabulary (flags, states, job records)
 * sits below all of them. Read from the sources, so no extra tool is needed: every
 * {@code io.backpoint.X} name outside comments counts, whether imported or written out in full.
 */
class CoreLayeringTest {

    /** Bottom first. A package may use its own layer and those before it. */
    static final List<List<String>> LAYERS = List.of(
            List.of("error", "util"),
            List.of("vocab"),
            List.of("model"),
            List.of("xml"),
            List.of("driver"),
            List.of("checkpoint"),
            List.of("backup"),
            List.of("api"));

    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.backpoint\\.([a-z]+)\\.");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void corePackagesUseOnlyTheLayersBelowThem() {
        assertThat(violations(Path.of("src/main/java"))).isEmpty();
    }

    @Test
    void theFourRulesOfIssue9AreAmongTheLayers() {
        assertThat(allowed("driver", "api")).as("driver SPI must not import api").isFalse();
        assertThat(allowed("model", "xml")).as("model must not import xml").isFalse();
        assertThat(allowed("checkpoint", "api")).as("engine must not import api").isFalse();
        assertThat(allowed("backup", "api")).as("engine must not import api").isFalse();
        assertThat(allowed("driver", "checkpoint")).as("driver SPI must not import the engine").isFalse();
        assertThat(allowed("api", "backup")).as("api may use everything in core").isTrue();
    }

    @Test
    void aBrokenRuleIsReported(@TempDir Path src) throws IOException {
        write(src, "model/Bad.java", "package io.backpoint.model;\nimport io.backpoint.xml.XmlWriter;\nclass Bad {}\n");
        write(src, "driver/Spi.java", "package io.backpoint.driver;\n// io.backpoint.api.Domain in a comment is fine\n"
                + "interface Spi { io.backpoint.api.Domain d(); }\n");
        write(src, "vocab/Ok.java", "package io.backpoint.vocab;\nimport io.backpoint.error.ErrorCode;\nenum Ok {}\n");
        write(src, "fresh/New.java", "package io.backpoint.fresh;\nclass New {}\n");

        assertThat(violations(src)).containsExactlyInAnyOrder(
                "driver/Spi.java (driver) uses io.backpoint.api",
                "fresh/New.java: package 'fresh' has no layer in CoreLayeringTest.LAYERS",
                "model/Bad.java (model) uses io.backpoint.xml");
    }

    static List<String> violations(Path root) {
        Path base = root.resolve("io/backpoint");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String rel = base.relativize(file).toString().replace('\\', '/');
                String pkg = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : "";
                if (layer(pkg) < 0) {
                    out.add(rel + ": package '" + pkg + "' has no layer in CoreLayeringTest.LAYERS");
                    continue;
                }
                String code = COMMENT.matcher(Files.readString(file)).replaceAll("")
                        .replaceFirst("(?m)^package [\\w.]+;", "");
                Matcher m = REFERENCE.matcher(code);
                List<String> seen = new ArrayList<>();
                while (m.find()) {
                    String used = m.group(1);
                    if (!allowed(pkg, used) && !seen.contains(used)) {
                        seen.add(used);
                        out.add(rel + " (" + pkg + ") uses io.backpoint." + used);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static boolean allowed(String from, String to) {
        int target = layer(to);
        return target >= 0 && target <= layer(from);
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        return -1;
    }

    private static void write(Path root, String rel, String text) throws IOException {
        Path f = root.resolve("io/backpoint").resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }
}
