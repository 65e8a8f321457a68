package io.backpoint.cli.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a virsh-style command string into commands and their words, with virsh's rules:
 * words separated by blanks; commands separated by ';' or a newline; single quotes take
 * everything literally (virsh does not complain when one is left open), double quotes allow
 * backslash escapes and must be closed, a backslash outside single quotes escapes the next
 * character, a backslash-newline disappears, and an unquoted '#' at the start of a word comments
 * out the rest of the line.
 */
final class CommandLexer {
    private CommandLexer() {}

    /** Thrown for an unterminated double quote or a trailing backslash. */
    static final class LexException extends Exception {
        private static final long serialVersionUID = 1L;

        LexException(String message) {
            super(message);
        }
    }

    static List<List<String>> split(String input) throws LexException {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = input.length();
        while (i < n) {
            char c = input.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            if (c == '\\' && i + 1 < n && input.charAt(i + 1) == '\n') {
                i += 2;
                continue;
            }
            if (c == ';' || c == '\n') {
                endCommand(commands, words);
                words = new ArrayList<>();
                i++;
                continue;
            }
            if (c == '#') {
                while (i < n && input.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            StringBuilder word = new StringBuilder();
            boolean single = false;
            boolean dbl = false;
            while (i < n) {
                c = input.charAt(i);
                if (!single && !dbl && (c == ' ' || c == '\t' || c == ';' || c == '\n')) {
                    break;
                }
                if (!dbl && c == '\'') {
                    single = !single;
                    i++;
                } else if (!single && c == '"') {
                    dbl = !dbl;
                    i++;
                } else if (!single && c == '\\') {
                    if (i + 1 >= n) {
                        throw new LexException("dangling \\");
                    }
                    if (input.charAt(i + 1) != '\n') {
                        word.append(input.charAt(i + 1));
                    }
                    i += 2;
                } else {
                    word.append(c);
                    i++;
                }
            }
            if (dbl) {
                throw new LexException("missing \"");
            }
            words.add(word.toString());
        }
        endCommand(commands, words);
        return commands;
    }

    private static void endCommand(List<List<String>> commands, List<String> words) {
        if (!words.isEmpty()) {
            commands.add(words);
        }
    }
}
