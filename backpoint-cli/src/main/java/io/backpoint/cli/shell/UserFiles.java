package io.backpoint.cli.shell;

import io.backpoint.util.IoErrors;
import io.backpoint.xml.XmlInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** Reading the files users name on the command line, with virsh's messages. */
public final class UserFiles {
    private UserFiles() {}

    /** The file's text; a failure is "Failed to open file 'F': reason". */
    public static String read(Shell shell, String given) {
        try (InputStream in = Files.newInputStream(shell.path(given))) {
            byte[] bytes = in.readNBytes(XmlInput.MAX_BYTES + 1);
            if (bytes.length > XmlInput.MAX_BYTES) {
                throw new Shell.CommandFailure("file '" + given + "' is larger than "
                        + (XmlInput.MAX_BYTES >> 20) + " MiB");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Shell.CommandFailure("Failed to open file '" + given + "': " + IoErrors.reason(e));
        }
    }
}
