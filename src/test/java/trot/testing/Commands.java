package trot.testing;

import picocli.CommandLine;
import trot.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** Runs {@code trot} commands in the test's JVM, as a user types them. */
public final class Commands {
    private Commands() {
    }

    /** Runs {@code trot args...}; returns the exit code and appends what it printed (stdout and stderr) to {@code output}. */
    public static int run(StringBuilder output, String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buffer, true);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
            output.append(buffer);
            out.print(buffer);
        }
    }
}
