package dev.kiln.runtime.cli;

/** The entry point of {@code kiln-runtime.jar}: {@code java -jar kiln-runtime.jar run|inspect|bench ...}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = new RuntimeCli(System.out, System.err).run(args);
        System.out.flush();
        System.exit(status);
    }
}
