package io.backpoint.cli.repository;

import io.backpoint.cli.shell.*;
import io.backpoint.error.BackpointException;
import io.backpoint.error.ErrorCode;
import io.backpoint.repo.Repository;
import io.backpoint.repo.storage.ObjectStores;
import java.util.Locale;

/** What the repository commands share: --repo, --json, sizes with K/M/G suffixes. */
public final class RepoOptions {
    private RepoOptions() {
    }

    public static OptionDef repo() {
        return new OptionDef("repo", OptionDef.Kind.STRING, true, false, "the repository directory");
    }

    static OptionDef json() {
        return OptionDef.bool("json", "print one JSON document on standard output");
    }

    /** Opens the repository --repo names, resolved against the working directory. */
    public static Repository open(Shell shell, ParsedArgs args) {
        return Repository.open(location(shell, args.get("repo")));
    }

    /** The location --repo names; says on stderr what the user should know before it is used. */
    public static String location(Shell shell, String given) {
        if (!given.startsWith("s3://")) {
            return shell.path(given).toString();
        }
        for (String warning : ObjectStores.warnings(given)) {
            shell.err().println("warning: " + warning);
        }
        return given;
    }

    /** 4M, 512K, 1G or a number of bytes. */
    static long size(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        }
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw BackpointException.of(ErrorCode.INVALID_ARG, "invalid size '%s' (examples: 4M, 512K)", text);
        }
    }

    /** Bytes for people: 4.0 MiB. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int i = -1;
        while (value >= 1024 && i < units.length - 1) {
            value /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[i]);
    }
}
