package io.backpoint.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code backpoint serve ...} in a child JVM, read up to "Press Ctrl-C to stop.", then signalled. */
final class ServeProcess implements AutoCloseable {
    final Process process;
    private final BufferedReader out;
    final List<String> lines = new ArrayList<>();

    ServeProcess(Path cwd, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        argv.addAll(List.of(args));
        process = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            if (line.equals("Press Ctrl-C to stop.")) {
                return;
            }
        }
    }

    /** The URI printed for {@code disk}. */
    String uri(String disk) {
        return lines.stream().filter(l -> l.startsWith("  " + disk + "  ")).map(l -> l.substring(disk.length() + 4))
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + disk + " in " + lines));
    }

    /** Sends {@code signal}, then returns the exit status and collects the rest of the output. */
    int stop(String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start()
                .waitFor(10, TimeUnit.SECONDS)).isTrue();
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
