package io.backpoint.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Documents built to hurt the reader: each must be refused as XML_ERROR, quickly, by every entry
 * point, and no message may carry the content of a file the document points at.
 */
class HostileXmlTest {
    private static final String SECRET = "TOP-SECRET-7d1c0b";
    private static final long LIMIT_MS = 1000;

    @TempDir
    static Path tmp;
    private static Path secretFile;

    @BeforeAll
    static void secret() throws IOException {
        secretFile = Files.writeString(tmp.resolve("secret.txt"), SECRET + "\n");
        Files.writeString(tmp.resolve("evil.dtd"), "<!ENTITY leak SYSTEM 'file://" + secretFile + "'>");
        // warm up the parser so that the timings below measure the document, not class loading
        CheckpointXml.parse("<domaincheckpoint/>", EnumSet.noneOf(CheckpointParseFlag.class), Clock.systemUTC());
    }

    static Stream<Arguments> documents() {
        String laughs = "<!DOCTYPE domaincheckpoint [\n <!ENTITY a \"lol\">\n"
                + " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
                + " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
                + " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
                + " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n]>\n"
                + "<domaincheckpoint><description>&i;</description></domaincheckpoint>";
        String big = "<domaincheckpoint><description>" + "x".repeat(64 * 1024 * 1024) + "</description></domaincheckpoint>";
        String deep = "<domaincheckpoint>" + "<a>".repeat(100_000) + "</a>".repeat(100_000) + "</domaincheckpoint>";
        return Stream.of(
                Arguments.of("xxe /etc/passwd", "<!DOCTYPE domaincheckpoint [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                        + "<domaincheckpoint><description>&x;</description></domaincheckpoint>"),
                Arguments.of("xxe secret file", "<!DOCTYPE domaincheckpoint [<!ENTITY x SYSTEM 'file://" + secretFile + "'>]>"
                        + "<domaincheckpoint><name>&x;</name></domaincheckpoint>"),
                Arguments.of("parameter entity", "<!DOCTYPE domaincheckpoint [<!ENTITY % p SYSTEM 'file://"
                        + tmp.resolve("evil.dtd") + "'> %p;]><domaincheckpoint><description>&leak;</description></domaincheckpoint>"),
                Arguments.of("external dtd", "<!DOCTYPE domaincheckpoint SYSTEM 'file://" + tmp.resolve("evil.dtd") + "'>"
                        + "<domaincheckpoint><description>&leak;</description></domaincheckpoint>"),
                Arguments.of("remote dtd", "<!DOCTYPE domaincheckpoint SYSTEM 'http://127.0.0.1:9/x.dtd'><domaincheckpoint/>"),
                Arguments.of("billion laughs", laughs),
                Arguments.of("xinclude", "<domaincheckpoint xmlns:xi='http://www.w3.org/2001/XInclude'><description>"
                        + "<xi:include href='file://" + secretFile + "' parse='text'/></description></domaincheckpoint>"),
                Arguments.of("64 MiB", big),
                Arguments.of("100000 levels deep", deep));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void checkpointParseRefuses(String what, String xml) {
        refuses(xml, x -> CheckpointXml.parse(x, EnumSet.of(CheckpointParseFlag.REDEFINE), null));
        refuses(xml, x -> CheckpointXml.parse(x, EnumSet.noneOf(CheckpointParseFlag.class), Clock.systemUTC()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void validatorAndDomainParseRefuse(String what, String xml) {
        refuses(xml, DocumentValidator::validate);
        refuses(xml.replace("domaincheckpoint", "domain"), DomainXml::parse);
    }

    private static void refuses(String xml, Consumer<String> parser) {
        long start = System.nanoTime();
        Throwable thrown = null;
        try {
            parser.accept(xml);
        } catch (Throwable t) {
            thrown = t;
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(thrown).isInstanceOf(BackpointException.class);
        BackpointException e = (BackpointException) thrown;
        // XInclude is not processed at all: the element is just an unknown child, which the schema refuses.
        assertThat(e.code()).isIn(ErrorCode.XML_ERROR, ErrorCode.XML_INVALID_SCHEMA);
        if (!xml.contains("XInclude")) {
            assertThat(e.code()).isEqualTo(ErrorCode.XML_ERROR);
        }
        assertThat(elapsedMs).as("time to refuse").isLessThan(LIMIT_MS);
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET).doesNotContain("root:x:0:0");
        }
        assertThat(e.getMessage().length()).as("message length").isLessThan(2000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void bytesEntryPointRefusesToo(String what, String xml) {
        if (xml.contains("XInclude")) {
            // well-formed; the reader must just not follow it
            assertThat(XmlInput.parse(xml).child("description").child("xi:include").text()).isNull();
            return;
        }
        assertThatThrownBy(() -> XmlInput.parse(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(BackpointException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.XML_ERROR))
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain(SECRET));
    }
}
