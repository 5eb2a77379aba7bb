package trot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trot} command line: {@code trot <command> [options]}; {@code trot help <command>} for details. */
@Command(name = "trot", mixinStandardHelpOptions = true, version = "trot 0.1.0",
        description = "Learning to walk on the robot's own CPU: SAC, REDQ and DroQ in Java.",
        subcommands = {BenchCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
