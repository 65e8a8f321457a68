package io.backpoint.qemu.block;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden JSON files under src/test/resources/golden. Run with -Dbackpoint.regenerate=true to
 * rewrite them from the current output (then review the diff before committing).
 */
final class Golden {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path SOURCE_DIR = Path.of("src/test/resources/golden");

    private Golden() {}

    static JsonNode read(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IOException("no golden file " + name);
            }
            return JSON.readTree(in);
        }
    }

    static BlockNodes nodes(String name) throws IOException {
        return BlockNodes.parse(read(name));
    }

    static void check(String name, JsonNode actual) throws IOException {
        if (Boolean.getBoolean("backpoint.regenerate")) {
            Files.createDirectories(SOURCE_DIR);
            Files.writeString(SOURCE_DIR.resolve(name), JSON.writeValueAsString(actual) + "\n");
            return;
        }
        JsonNode expected = read(name);
        assertThat(JSON.writeValueAsString(actual))
                .as("planner output vs golden/%s", name)
                .isEqualTo(JSON.writeValueAsString(expected));
    }
}
