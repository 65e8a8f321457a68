package io.backpoint.cli;

/** Entry point of the {@code backpoint} executable. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(Version.STRING);
            return 0;
        }
        System.out.println("backpoint " + Version.STRING);
        return 0;
    }
}
