package io.backpoint.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces creation times that depend on the moment of a run: Unix seconds and
 * {@code checkpoint-list} dates. Times given by the caller as fixed (those from XML files) are
 * left alone, so they must match exactly.
 */
final class Times {
    static final String SECONDS = "<SECONDS>";
    static final String DATE = "<DATE>";
    private static final Pattern UNIX = Pattern.compile("\\b\\d{10}\\b");
    private static final Pattern LOCAL = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

    private Times() {}

    /** Normalises times of output produced between {@code from} and {@code to} (inclusive, seconds). */
    static String ofRun(String text, long from, long to) {
        Matcher m = UNIX.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            long v = Long.parseLong(m.group());
            m.appendReplacement(sb, v >= from && v <= to ? SECONDS : m.group());
        }
        m.appendTail(sb);
        Matcher d = LOCAL.matcher(sb.toString());
        StringBuilder out = new StringBuilder();
        while (d.find()) {
            boolean now = false;
            for (long s = from; s <= to && !now; s++) {
                now = FORMAT.format(Instant.ofEpochSecond(s).atZone(ZoneId.systemDefault())).equals(d.group());
            }
            d.appendReplacement(out, now ? DATE : d.group());
        }
        d.appendTail(out);
        return out.toString();
    }

    /** Normalises every time of a recorded transcript except those in {@code fixed} (Unix seconds). */
    static String ofRecording(String text, Set<Long> fixed) {
        Matcher m = UNIX.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, fixed.contains(Long.parseLong(m.group())) ? m.group() : SECONDS);
        }
        m.appendTail(sb);
        Matcher d = LOCAL.matcher(sb.toString());
        StringBuilder out = new StringBuilder();
        while (d.find()) {
            boolean isFixed = false;
            for (long s : fixed) {
                isFixed |= FORMAT.format(Instant.ofEpochSecond(s).atZone(ZoneId.systemDefault())).equals(d.group());
            }
            d.appendReplacement(out, isFixed ? d.group() : DATE);
        }
        d.appendTail(out);
        return out.toString();
    }
}
