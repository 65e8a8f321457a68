package io.backpoint.cli.shell;

/**
 * One option of a command, as virsh declares them.
 *
 * @param name the long name, used as --name
 * @param kind how the option takes a value
 * @param required whether the command refuses to run without it
 * @param positional whether a bare word can fill it (virsh fills such options in order)
 * @param help one line for {@code help COMMAND}
 */
public record OptionDef(String name, Kind kind, boolean required, boolean positional, String help) {
    public enum Kind {
        /** A switch without a value. */
        BOOL,
        /** A string value. */
        STRING,
        /** An integer value. */
        INT,
        /** Takes every remaining bare word; may repeat. */
        ARGV
    }

    public static OptionDef data(String name, String help) {
        return new OptionDef(name, Kind.STRING, true, true, help);
    }

    public static OptionDef string(String name, String help) {
        return new OptionDef(name, Kind.STRING, false, true, help);
    }

    /** A string option that only --name fills, never a bare word. */
    public static OptionDef named(String name, String help) {
        return new OptionDef(name, Kind.STRING, false, false, help);
    }

    public static OptionDef bool(String name, String help) {
        return new OptionDef(name, Kind.BOOL, false, false, help);
    }

    public static OptionDef integer(String name, String help) {
        return new OptionDef(name, Kind.INT, false, false, help);
    }

    public static OptionDef argv(String name, String help) {
        return new OptionDef(name, Kind.ARGV, false, true, help);
    }

    /** Every remaining bare word, at least one (virsh's VSH_OT_ARGV with VSH_OFLAG_REQ). */
    public static OptionDef requiredArgv(String name, String help) {
        return new OptionDef(name, Kind.ARGV, true, true, help);
    }

    public String valueWord() {
        return kind == Kind.INT ? "<number>" : "<string>";
    }
}
