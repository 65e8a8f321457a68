package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.backpoint.checkpoint.CheckpointAlign;
import io.backpoint.error.BackpointException;
import io.backpoint.model.CheckpointDef;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of the fixtures. Whatever the input, parsing either succeeds or throws
 * BackpointException (never NullPointerException or anything else), and whatever parses also
 * formats, aligns (or refuses with BackpointException) and reads back as a redefinition.
 */
class CheckpointXmlFuzzTest {
    private static final long SEED = 0x5eed_c0ffeeL;
    private static final int ITERATIONS = 5_000;
    private static final long BUDGET_NANOS = 60_000_000_000L;
    private static final Pattern ATTRIBUTE_VALUE = Pattern.compile("='[^']*'");
    private static final String[] ODD_VALUES = {
        "", " ", "..", "../x", "/", "-1", "0", "18446744073709551616", "9223372036854775808", "no", "bitmap",
        "yes", "&amp;", "&lt;&gt;", "&#x1F680;", "vda", "/dev/null", "x".repeat(5000), "\u00e9t\u00e9", "a b", "\t"
    };
    private static final String[] TOKENS = {"<", ">", "/", "'", "\"", "&", "=", " ", "\n", "<disk/>", "]]>", "<!--", "-->"};

    @Test
    void mutatedDocumentsFailOnlyWithBackpointException() {
        List<String> seeds = new ArrayList<>();
        for (String f : Fixtures.list("in")) {
            seeds.add(Fixtures.read("in/" + f));
        }
        for (String f : Fixtures.list("out")) {
            seeds.add(Fixtures.read("out/" + f));
        }
        Random random = new Random(SEED);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int parsed = 0;
        int iterations = 0;
        for (; iterations < ITERATIONS && System.nanoTime() < deadline; iterations++) {
            String doc = seeds.get(random.nextInt(seeds.size()));
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                doc = mutate(doc, random);
            }
            Set<CheckpointParseFlag> flags = random.nextBoolean()
                    ? EnumSet.of(CheckpointParseFlag.REDEFINE) : EnumSet.noneOf(CheckpointParseFlag.class);
            try {
                CheckpointDef def = CheckpointXml.parse(doc, flags, clock);
                parsed++;
                exerciseParsed(def, doc);
            } catch (BackpointException expected) {
                assertThat(expected.code()).isNotNull();
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException | Error e) {
                fail("iteration " + iterations + " threw " + e + " for:\n" + doc, e);
            }
        }
        System.out.printf("fuzz: %d iterations, %d parsed%n", iterations, parsed);
        assertThat(iterations).as("iterations within the time budget").isGreaterThan(500);
        // The mutations must leave a fair share of valid documents, or the format path goes untested.
        assertThat(parsed).as("documents that still parsed").isGreaterThan(iterations / 20);
    }

    private static void exerciseParsed(CheckpointDef def, String doc) {
        for (Set<CheckpointFormatFlag> ff : List.of(EnumSet.noneOf(CheckpointFormatFlag.class), EnumSet.allOf(CheckpointFormatFlag.class),
                EnumSet.of(CheckpointFormatFlag.SECURE))) {
            String out = CheckpointXml.format(def, ff);
            assertThat(out).endsWith("\n");
        }
        String secure = CheckpointXml.format(def, EnumSet.of(CheckpointFormatFlag.SECURE));
        // Every output is again a valid document, and a redefinition of it formats to itself.
        CheckpointDef again;
        try {
            again = CheckpointXml.parse(secure, EnumSet.of(CheckpointParseFlag.REDEFINE), null);
        } catch (BackpointException e) {
            fail("output of a parsed document does not read back (" + e.getMessage() + "):\n" + doc + "\n->\n" + secure);
            return;
        }
        assertThat(CheckpointXml.format(again, EnumSet.of(CheckpointFormatFlag.SECURE))).isEqualTo(secure);
        CheckpointAlign.assignDefaultBitmaps(def);
        if (def.domain() != null) {
            try {
                CheckpointAlign.align(def);
            } catch (BackpointException refused) {
                // alignment errors are typed; anything else fails the test
            }
        }
    }

    static String mutate(String doc, Random random) {
        if (doc.isEmpty()) {
            return doc;
        }
        switch (random.nextInt(7)) {
            case 0 -> { // flip one character to an XML-significant one or a random byte-sized char
                int at = random.nextInt(doc.length());
                String with = random.nextBoolean() ? TOKENS[random.nextInt(TOKENS.length)] : String.valueOf((char) random.nextInt(256));
                return doc.substring(0, at) + with + doc.substring(at + 1);
            }
            case 1 -> { // delete a line (usually one element)
                return editLines(doc, random, false);
            }
            case 2 -> { // duplicate a line
                return editLines(doc, random, true);
            }
            case 3 -> { // an odd attribute value
                List<int[]> spans = new ArrayList<>();
                Matcher m = ATTRIBUTE_VALUE.matcher(doc);
                while (m.find()) {
                    spans.add(new int[] {m.start() + 2, m.end() - 1});
                }
                if (spans.isEmpty()) {
                    return doc;
                }
                int[] s = spans.get(random.nextInt(spans.size()));
                return doc.substring(0, s[0]) + ODD_VALUES[random.nextInt(ODD_VALUES.length)] + doc.substring(s[1]);
            }
            case 4 -> { // truncate
                return doc.substring(0, random.nextInt(doc.length()));
            }
            case 5 -> { // odd element text
                int open = doc.indexOf('>', random.nextInt(doc.length()));
                if (open < 0 || open + 1 >= doc.length() || doc.charAt(open + 1) == '\n') {
                    return doc;
                }
                int close = doc.indexOf('<', open);
                return close < 0 ? doc : doc.substring(0, open + 1) + ODD_VALUES[random.nextInt(ODD_VALUES.length)] + doc.substring(close);
            }
            default -> { // move a line elsewhere
                String[] lines = doc.split("\n", -1);
                if (lines.length < 3) {
                    return doc;
                }
                List<String> list = new ArrayList<>(List.of(lines));
                String moved = list.remove(random.nextInt(list.size()));
                list.add(random.nextInt(list.size() + 1), moved);
                return String.join("\n", list);
            }
        }
    }

    private static String editLines(String doc, Random random, boolean duplicate) {
        List<String> lines = new ArrayList<>(List.of(doc.split("\n", -1)));
        int at = random.nextInt(lines.size());
        if (duplicate) {
            lines.add(at, lines.get(at));
        } else {
            lines.remove(at);
        }
        return String.join("\n", lines);
    }
}
