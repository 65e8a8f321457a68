package io.backpoint.xml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The project's own XML fixtures under src/test/resources/checkpointxml2xml. */
final class Fixtures {
    static final String ROOT = "/checkpointxml2xml/";

    private Fixtures() {}

    /** A fixture's text, e.g. {@code read("in/sample.xml")}. */
    static String read(String relative) {
        try (InputStream in = Fixtures.class.getResourceAsStream(ROOT + relative)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + relative);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file names in a fixture directory (in, out, domains), sorted. */
    static List<String> list(String dir) {
        URL url = Fixtures.class.getResource(ROOT + dir);
        if (url == null) {
            throw new IllegalArgumentException("no fixture directory " + dir);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Strips the size attributes, which no parse reads back (libvirt's parser ignores them too). */
    static String withoutSizes(String xml) {
        return xml.replaceAll(" size='[0-9]+'", "");
    }
}
