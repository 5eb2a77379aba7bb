package trot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trot.env.Environment;
import trot.env.robot.A1Robot;
import trot.env.robot.RobotConfig;
import trot.link.PortException;
import trot.runtime.PeriodicPacer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code trot robot --port PATH}: DroQ (or another preset) learning to walk on the robot at PATH, in real time:
 * the runtime's real-time schedule (a control thread at 20 Hz that never waits on learning, the learner on the other
 * threads), the robot's own resets and interlocks, the same outputs and checkpoints as {@code trot train} plus
 * control.csv (achieved UTD, jitter, latency), world.csv (link statistics, resets, interlocks per episode) and their
 * plots. Every flag of {@code trot train} applies; {@code --resume DIR} continues a run (the robot's state is the
 * world's: the run goes on from a fresh reset, keeping every logged transition).
 */
@Command(name = "robot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Learn to walk on a robot (the A1 running trot's firmware, or `trot emulate`) over the serial port",
                "PATH, in real time: a 20 Hz control thread, learning on the other threads, automatic resets (a scripted",
                "get-up, then a 100-step blend to standing), interlocks that damp the motors. Press Enter (or Ctrl-C, or",
                "send SIGTERM) to stop: the robot is damped, the run is saved, and --resume continues it.",
                "Outputs: those of trot train, plus control.csv / jitter.png and world.csv. See docs/robot.md."})
final class RobotCommand extends TrainCommand {

    @Option(names = "--port", required = true, paramLabel = "PATH", description = "The robot's serial port (a USB"
            + " serial device, or the emulator's pseudo-terminal or --link path).")
    String port;

    @Option(names = "--baud", defaultValue = "115200", description = "Baud rate (default ${DEFAULT-VALUE}; a"
            + " pseudo-terminal ignores it; a real UART needs 1 Mbaud for States every 2 ms, see docs/link.md).")
    int baud;

    @Option(names = "--episode-steps", defaultValue = "400", description = "Episode time limit in control steps"
            + " (default ${DEFAULT-VALUE}: 20 s at 20 Hz).")
    int episodeSteps;

    @Option(names = "--no-enter-stop", description = "Do not read the terminal: Enter does not stop the run (Ctrl-C"
            + " and SIGTERM still do).")
    boolean noEnterStop;

    private volatile A1Robot robot;

    @Override
    public Integer call() throws Exception {
        if (given("--env")) {
            System.err.println("trot robot: --env is for trot train; trot robot learns the robot task (A1Robot) on --port");
            return 2;
        }
        if (given("--realtime") || given("--rate-hz") || given("--model")) {
            System.err.println("trot robot: --realtime, --rate-hz and --model are trot train's; a robot is real-time by"
                    + " itself, runs at its configured 20 Hz and has no model file");
            return 2;
        }
        env = Tasks.ROBOT.id;
        if (resumeDir != null) {
            // The episode length is the task's: a resumed run keeps the one it recorded.
            String recorded;
            try {
                recorded = trot.io.Snapshot.read(resumeDir.resolve(trot.train.Trainer.SNAPSHOT)).meta().get("run." + EPISODE_STEPS);
            } catch (java.io.IOException | IllegalArgumentException e) {
                recorded = null;   // the resume itself says what is wrong with the snapshot
            }
            if (recorded != null) {
                if (given("--episode-steps") && episodeSteps != Integer.parseInt(recorded)) {
                    System.err.println("trot robot: --resume " + resumeDir + " continues the run with the episode length it"
                            + " recorded (" + recorded + " steps); --episode-steps " + episodeSteps + " contradicts it. Drop it.");
                    return 2;
                }
                episodeSteps = Integer.parseInt(recorded);
            }
        }
        return super.call();
    }

    /** The snapshot entry ({@code run.}...) of the episode length. */
    static final String EPISODE_STEPS = "robot.episode_steps";

    @Override
    void recordRun(trot.train.Trainer trainer) {
        trainer.record(EPISODE_STEPS, Integer.toString(episodeSteps));
    }

    @Override
    Environment openRobot(Map<String, String> taskOptions) throws PortException {
        RobotConfig config = Tasks.robotConfig(taskOptions, episodeSteps);
        PeriodicPacer pacer = new PeriodicPacer(config.controlPeriod_s());
        System.err.println("trot robot: opening " + port + " (" + baud + " baud), " + config.maxEpisodeSteps()
                + "-step episodes at " + Math.round(1 / config.controlPeriod_s()) + " Hz"
                + (config.actionFilter() ? ", Butterworth action filter" : ""));
        A1Robot r = A1Robot.open(port, baud, config, pacer);
        robot = r;
        if (!noEnterStop) {
            Thread keys = new Thread(() -> watchTerminal(r), "trot-robot-estop-key");
            keys.setDaemon(true);
            keys.start();
            System.err.println("trot robot: press Enter to stop (e-stop: damp, save, exit)");
        }
        return r;
    }

    /** A line on standard input is the operator's e-stop; end of input (no terminal, /dev/null) is not. */
    private static void watchTerminal(A1Robot r) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (in.readLine() != null) {
                r.estop("Enter pressed at the terminal");
            }
        } catch (IOException ignored) {
            // No terminal to read: Ctrl-C and SIGTERM still stop the run.
        }
    }

    @Override
    void emergencyStop(String why) {
        A1Robot r = robot;
        if (r != null) {
            r.estop(why);
        }
    }
}
