package trot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** The {@code trot} command line: {@code trot <command> [options]}; {@code trot help <command>} for details. */
@Command(name = "trot", mixinStandardHelpOptions = true, version = "trot 0.1.0",
        description = "Learning to walk on the robot's own CPU: SAC, REDQ and DroQ in Java.",
        subcommands = {TrainCommand.class, EvalCommand.class, BenchCommand.class, InfoCommand.class,
                RobotCommand.class, LinkCheckCommand.class, EmulateCommand.class, EstimatorCheckCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static String[] arguments = new String[0];

    /** The arguments the program was started with (for run records). */
    static List<String> arguments() {
        return List.of(arguments);
    }

    public static void main(String[] args) {
        arguments = args.clone();
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
