package io.backpoint.cli.misc;

import io.backpoint.cli.shell.Command;
import io.backpoint.cli.shell.OptionDef;
import io.backpoint.cli.shell.ParsedArgs;
import io.backpoint.cli.shell.Shell;
import io.backpoint.cli.shell.UserFiles;
import io.backpoint.error.BackpointException;
import io.backpoint.xml.DocumentValidator;
import java.util.List;

/**
 * validate: like libvirt's virt-xml-validate, checks domaincheckpoint, domainbackup and domain
 * documents against Backpoint's schemas, detecting the type from the root element.
 */
public final class ValidateCommand implements Command {
    @Override
    public String name() {
        return "validate";
    }

    @Override
    public String summary() {
        return "validate XML documents against their schema";
    }

    @Override
    public String description() {
        return "Validates domaincheckpoint, domainbackup and domain XML files, as virt-xml-validate does.";
    }

    @Override
    public List<OptionDef> options() {
        return List.of(OptionDef.requiredArgv("file", "XML file to validate"));
    }

    @Override
    public boolean needsConnection() {
        return false;
    }

    @Override
    public boolean run(Shell shell, ParsedArgs args) throws Exception {
        List<String> files = args.all("file");
        boolean ok = true;
        for (String file : files) {
            try {
                DocumentValidator.validate(UserFiles.read(shell, file));
                shell.out().println(file + " validates");
            } catch (BackpointException e) {
                shell.err().println("error: " + file + ": " + e.getMessage());
                ok = false;
            } catch (Shell.CommandFailure e) {
                shell.err().println("error: " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }
}
