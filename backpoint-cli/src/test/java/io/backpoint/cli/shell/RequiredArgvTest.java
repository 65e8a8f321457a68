package io.backpoint.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A required ARGV option is checked by the parser, as virsh checks VSH_OFLAG_REQ, not by each command. */
class RequiredArgvTest {
    private static final Command FILES = new Command() {
        @Override
        public String name() {
            return "files";
        }

        @Override
        public String summary() {
            return "";
        }

        @Override
        public String description() {
            return "";
        }

        @Override
        public List<OptionDef> options() {
            return List.of(OptionDef.bool("all", ""), OptionDef.requiredArgv("file", ""));
        }

        @Override
        public boolean needsConnection() {
            return false;
        }

        @Override
        public boolean run(Shell shell, ParsedArgs args) {
            return true;
        }
    };

    @Test
    void noWordIsRefusedWithVirshsMessage() {
        assertThatThrownBy(() -> CommandParser.parse(FILES, List.of("--all")))
                .isInstanceOf(UsageException.class)
                .hasMessage("command 'files' requires <file> option");
    }

    @Test
    void everyBareWordIsKept() throws Exception {
        assertThat(CommandParser.parse(FILES, List.of("a", "--all", "b")).all("file")).containsExactly("a", "b");
        assertThat(CommandParser.parse(FILES, List.of("--file", "c")).all("file")).containsExactly("c");
    }
}
