package io.backpoint.cli.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;

/** virsh's {@code --tree} drawing of parent/child relations, for items in a given order. */
public final class TreePrinter {
    /** An item and its parent's name (null for a root). */
    public record Item(String name, String parent) {}

    private final List<Item> items;
    private final PrintStream out;

    private TreePrinter(List<Item> items, PrintStream out) {
        this.items = items;
        this.out = out;
    }

    /** Prints the tree under each root (an item whose parent is null), in list order. */
    public static void print(List<Item> items, PrintStream out) {
        TreePrinter p = new TreePrinter(items, out);
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).parent() == null) {
                p.print(i, i, true, new StringBuilder());
            }
        }
    }

    private void print(int id, int lastSibling, boolean root, StringBuilder indent) {
        String name = items.get(id).name();
        out.println(indent + (root ? "" : "+- ") + name);
        int mark = indent.length();
        if (!root) {
            indent.append(id == lastSibling ? ' ' : '|').append(' ');
        }
        int lastChild = -1;
        for (int i = 0; i < items.size(); i++) {
            if (Objects.equals(items.get(i).parent(), name)) {
                lastChild = i;
            }
        }
        if (lastChild != -1) {
            out.println(indent + "  |");
        }
        indent.append("  ");
        for (int i = 0; i < items.size(); i++) {
            if (Objects.equals(items.get(i).parent(), name)) {
                print(i, lastChild, false, indent);
            }
        }
        indent.setLength(indent.length() - 2);
        if (lastChild == -1 && id == lastSibling) {
            out.println(indent);
        }
        indent.setLength(mark);
    }
}
