package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.backpoint.backup.BackupAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.model.BackupDef;
import io.backpoint.model.DiskFormat;
import io.backpoint.model.DomainDef;
import io.backpoint.model.DomainDiskDef;
import io.backpoint.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutations of every backup fixture through parse (public and INTERNAL), format and
 * alignment. The only failure allowed is a {@link BackpointException}; whatever parses must
 * format, and a job record that reads back must format to the same text.
 */
class BackupXmlFuzzTest {
    private static final int ITERATIONS_PER_SEED = 1500;
    private static final Set<BackupParseFlag> NONE = EnumSet.noneOf(BackupParseFlag.class);
    private static final Set<BackupParseFlag> INTERNAL = EnumSet.of(BackupParseFlag.INTERNAL);
    private static final String[] VALUES = {
        "", "push", "pull", "default", "yes", "no", "full", "incremental", "file", "block", "network", "dir",
        "tcp", "unix", "rdma", "fd", "relative/path", "/abs/path", "-1", "0", "65536", "4294967296", "x",
        "running", "complete", "cancelled", "qcow2", "raw", "none", "vda", "vdextradisk", "&amp;", "&lt;'\""};
    private static final String[] NAMES = {
        "domainbackup", "disks", "disk", "server", "target", "scratch", "driver", "incremental", "privateData",
        "seclabel", "encryption", "secret", "name", "backup", "type", "mode", "state", "index", "socket", "port"};
    private static final String PALETTE = "<>/='\"& \n\tabvdx0123456789-:;?!";
    private static final Pattern ATTR_VALUE = Pattern.compile("='([^']*)'|=\"([^\"]*)\"");
    private static final Pattern ATTR = Pattern.compile(" [a-zA-Z]+=('[^']*'|\"[^\"]*\")");
    private static final Pattern NAME = Pattern.compile("(?<=</?)[a-zA-Z]+");

    private static final List<String> corpus = new ArrayList<>();
    private static final DomainDef SMALL_DOMAIN = BackupFakeDomain.of(List.of(
            BackupFakeDomain.fileDisk("vda"),
            new DomainDiskDef("block", "disk", DiskFormat.RAW, "/dev/sdb", "vdb", "virtio", false, false),
            new DomainDiskDef("file", "cdrom", DiskFormat.RAW, null, "hdc", "ide", true, false)));

    @BeforeAll
    static void loadCorpus() throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(BackupXml2XmlTest.SOURCE_DIR.resolve("in"),
                BackupXml2XmlTest.SOURCE_DIR.resolve("out")));
        Optional<Path> shared = SharedFiles.root();
        shared.ifPresent(s -> dirs.add(s.resolve("conformance/libvirt/domainbackupxml2xmlin")));
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    corpus.add(Files.readString(f));
                }
            }
        }
        assertThat(corpus).hasSizeGreaterThan(20);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20260101})
    void mutatedDocumentsFailOnlyWithTypedErrors(long seed) {
        Random random = new Random(seed);
        int parsedPublic = 0;
        int parsedInternal = 0;
        for (int i = 0; i < ITERATIONS_PER_SEED; i++) {
            String xml = corpus.get(random.nextInt(corpus.size()));
            int rounds = random.nextInt(4) == 0 ? 2 : 1;
            for (int r = 0; r < rounds; r++) {
                xml = mutate(xml, random);
            }
            parsedPublic += exercise(xml, NONE);
            parsedInternal += exercise(asJobRecord(xml), INTERNAL);
        }
        // The mutations must leave enough documents readable to test format and alignment too.
        // (Most mutated public documents stop at the schema: about one in ten gets through.)
        assertThat(parsedPublic).as("public documents parsed").isGreaterThan(ITERATIONS_PER_SEED / 20);
        assertThat(parsedInternal).as("job records parsed").isGreaterThan(ITERATIONS_PER_SEED / 20);
    }

    /** Returns 1 when the document parsed. */
    private static int exercise(String xml, Set<BackupParseFlag> flags) {
        boolean internal = flags.contains(BackupParseFlag.INTERNAL);
        try {
            BackupDef def;
            try {
                def = BackupXml.parse(xml, flags);
            } catch (BackpointException expected) {
                assertThat(expected.code()).isNotNull();
                assertThat(expected.getMessage()).isNotBlank();
                return 0;
            }
            String out = BackupXml.format(def, internal);
            assertThat(out).endsWith("\n");
            BackupXml.format(def, !internal);
            if (internal) {
                BackupDef again = reparse(out);
                if (again != null) {
                    assertThat(BackupXml.format(again, true)).isEqualTo(out);
                }
            }
            for (DomainDef domain : List.of(BackupFakeDomain.forBackup(def), SMALL_DOMAIN)) {
                try {
                    BackupXml.format(BackupAlign.align(def, domain, "S"), internal);
                } catch (BackpointException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
            return 1;
        } catch (BackpointException | AssertionError e) {
            throw new AssertionError(describe(flags, xml) + ": " + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            return fail(describe(flags, xml) + " threw " + e, e);
        }
    }

    /** Public documents have no disk state, which a job record requires; give them one. */
    private static String asJobRecord(String xml) {
        return xml.contains("state=") ? xml : xml.replace("<disk ", "<disk state='running' ");
    }

    private static BackupDef reparse(String xml) {
        try {
            return BackupXml.parse(xml, INTERNAL);
        } catch (BackpointException e) {
            // A disk whose state was the empty string prints without one and cannot be read back;
            // libvirt has the same asymmetry.
            return null;
        }
    }

    private static String describe(Set<BackupParseFlag> flags, String xml) {
        return "flags " + flags + ", input:\n" + xml;
    }

    private static String mutate(String xml, Random random) {
        if (xml.isEmpty()) {
            return "<domainbackup/>";
        }
        int at = random.nextInt(xml.length());
        // Character-level damage mostly ends at the XML reader, so structure-preserving
        // mutations (values, attributes, element names) get the larger share.
        switch (random.nextInt(12)) {
            case 0: // delete a short range
                return xml.substring(0, at) + xml.substring(Math.min(xml.length(), at + 1 + random.nextInt(8)));
            case 1: { // insert palette characters
                StringBuilder sb = new StringBuilder();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    sb.append(PALETTE.charAt(random.nextInt(PALETTE.length())));
                }
                return xml.substring(0, at) + sb + xml.substring(at);
            }
            case 2: { // duplicate a slice (repeats elements and attributes)
                int end = Math.min(xml.length(), at + 1 + random.nextInt(120));
                return xml.substring(0, end) + xml.substring(at, end) + xml.substring(end);
            }
            case 3: case 4: case 5: case 6:
                return replaceRandom(xml, ATTR_VALUE, random, m -> "='" + pick(VALUES, random) + "'");
            case 7: case 8:
                return replaceRandom(xml, ATTR, random, m -> "");
            case 9:
                return replaceRandom(xml, NAME, random, m -> pick(NAMES, random));
            default: // add an attribute
                return replaceRandom(xml, NAME, random,
                        m -> m.group() + " " + pick(NAMES, random) + "='" + pick(VALUES, random) + "'");
        }
    }

    private static String replaceRandom(String xml, Pattern p, Random random,
            java.util.function.Function<Matcher, String> replacement) {
        Matcher m = p.matcher(xml);
        List<int[]> spans = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
            texts.add(replacement.apply(m));
        }
        if (spans.isEmpty()) {
            return xml;
        }
        int k = random.nextInt(spans.size());
        return xml.substring(0, spans.get(k)[0]) + texts.get(k) + xml.substring(spans.get(k)[1]);
    }

    private static String pick(String[] values, Random random) {
        return values[random.nextInt(values.length)];
    }
}
