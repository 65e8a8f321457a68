package io.backpoint.cli.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * virsh's table layout: a leading space, columns padded to their widest cell and separated by
 * three spaces (the last one not padded), a dashed rule as wide as every column plus three per
 * column.
 */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    /** One {@code Label:  value} line as virsh's info commands print them (label padded to 15). */
    public static void field(PrintStream out, String label, String value) {
        out.printf("%-15s %s%n", label, value);
    }

    public void row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + header.size());
        }
        rows.add(List.of(cells));
    }

    public void print(PrintStream out) {
        int[] widths = new int[header.size()];
        measure(widths, header);
        for (List<String> r : rows) {
            measure(widths, r);
        }
        int total = 0;
        for (int w : widths) {
            total += w + 3;
        }
        line(out, widths, header);
        out.println("-".repeat(total));
        for (List<String> r : rows) {
            line(out, widths, r);
        }
    }

    private static void measure(int[] widths, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            widths[i] = Math.max(widths[i], cells.get(i).codePointCount(0, cells.get(i).length()));
        }
    }

    private static void line(PrintStream out, int[] widths, List<String> cells) {
        StringBuilder sb = new StringBuilder(" ");
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(widths[i] - c.codePointCount(0, c.length()))).append("   ");
            }
        }
        out.println(sb);
    }
}
