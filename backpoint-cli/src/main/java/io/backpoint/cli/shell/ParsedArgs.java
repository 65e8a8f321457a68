package io.backpoint.cli.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The option values of one parsed command. */
public final class ParsedArgs {
    private final Command command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    ParsedArgs(Command command) {
        this.command = command;
    }

    Command command() {
        return command;
    }

    void add(String option, String value) {
        values.computeIfAbsent(option, k -> new ArrayList<>()).add(value);
    }

    public boolean has(String option) {
        return values.containsKey(option);
    }

    /**
     * The value of a string option, or null. An empty value is refused as virsh's
     * vshCommandOptStringReq refuses it, when the command asks for the value.
     */
    public String get(String option) {
        String v = raw(option);
        if (v != null && v.isEmpty()) {
            throw new Shell.CommandFailure("Failed to get option '" + option + "': Option argument is empty");
        }
        return v;
    }

    /** The value of a string option as given, possibly empty, or null. */
    public String raw(String option) {
        List<String> v = values.get(option);
        return v == null ? null : v.get(0);
    }

    public List<String> all(String option) {
        return values.getOrDefault(option, List.of());
    }

    /** virsh's VSH_EXCLUSIVE_OPTIONS. */
    public void exclusive(String a, String b) throws UsageException {
        if (has(a) && has(b)) {
            throw new UsageException("Options --" + a + " and --" + b + " are mutually exclusive");
        }
    }

    /** virsh's VSH_REQUIRE_OPTION: option {@code a} needs {@code b}. */
    public void requires(String a, String b) throws UsageException {
        if (has(a) && !has(b)) {
            throw new UsageException("Option --" + b + " is required by option --" + a);
        }
    }
}
