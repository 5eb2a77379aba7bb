package trot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;
import trot.env.RobotDescription;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code trot emulate}: runs the robot emulator, the firmware core over a MuJoCo quadruped on a pseudo-terminal
 * (hardware/firmware/build/trot-emulator), the A1 unless {@code --robot FILE} names another. A robot file is read
 * and checked against its model here, and its names, hardware standing pose and torque limit go to the emulator as
 * flags ({@code --joints}, {@code --imu}, {@code --feet}, {@code --stand-rad}, {@code --torque-limit},
 * {@code --robot-name}), so the C program needs no parser of its own and the file has one reader. Every other option
 * goes to the emulator as it is; its output is this command's, its exit code this command's.
 */
@Command(name = "emulate",
        description = {"Run the robot emulator: the firmware on a simulated A1 behind a pseudo-terminal that",
                "`trot link-check --port PATH` (or any host) opens as the robot's serial port. The emulator's first line",
                "is 'trot-emulator: serial port <PATH>'. Options go to the emulator (trot emulate --help lists them):",
                "  --link PATH  --seed N  --faults drop=0.01,corrupt=0.001,...  --fault-seed N  --log-commands FILE",
                "  --duration SECONDS  --status-every SECONDS  --start standing|lying|side|side-left|side-right|back  --quiet",
                "  --video FILE.mp4  --video-size WxH  --video-quality fast|high  (a video of what the robot did)",
                "--model defaults to hardware/a1/a1.xml. Ctrl-C stops it (it prints its summary first)."})
final class EmulateCommand implements Callable<Integer> {

    @Option(names = "--robot", paramLabel = "FILE", description = {"Robot file of the emulated robot (default: the A1,"
            + " hardware/a1/a1.robot): its model, joints, sensors, hardware standing pose and torque limit"
            + " (docs/robot-file.md). --model replaces its MJCF file."})
    Path robotFile;

    @Unmatched
    List<String> options = new ArrayList<>();

    /** Where the emulator binary is under trot's home. */
    static Path binary() {
        return home().resolve("hardware/firmware/build/trot-emulator");
    }

    private static Path home() {
        return Path.of(System.getProperty("trot.home", "."));
    }

    /** The emulator's command line: the binary, --model unless the user gave one, then the user's options. */
    static List<String> commandLine(Path binary, List<String> options) {
        return commandLine(binary, null, options);
    }

    /**
     * The emulator's command line: the binary, --model (the robot's, unless the user gave one), the flags that
     * describe {@code robot} (none for null: the emulator's built-in A1), then the user's options.
     */
    static List<String> commandLine(Path binary, RobotDescription robot, List<String> options) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        boolean model = options.stream().anyMatch(o -> o.equals("--model") || o.startsWith("--model="));
        if (!model) {
            command.add("--model");
            command.add((robot != null ? robot.model() : Tasks.defaultA1Model()).toString());
        }
        if (robot != null) {
            command.addAll(robotFlags(robot));
        }
        command.addAll(options);
        return command;
    }

    /** The emulator's flags for a robot other than its built-in A1. */
    static List<String> robotFlags(RobotDescription robot) {
        StringBuilder stand = new StringBuilder();
        for (int j = 0; j < RobotDescription.JOINTS; j++) {
            stand.append(j == 0 ? "" : ",").append(robot.hardwareStand_rad(j));
        }
        String name = robot.name().replaceAll("[^A-Za-z0-9_.-]+", "-");
        name = name.length() > 16 ? name.substring(0, 16) : name;
        return List.of("--joints", String.join(",", robot.joints()),
                "--imu", robot.orientationSensor() + "," + robot.gyroSensor() + "," + robot.accelerometerSensor(),
                "--feet", String.join(",", robot.footSensors()), "--stand-rad", stand.toString(),
                "--torque-limit", Double.toString(robot.maxTorqueLimit_Nm()), "--robot-name", name);
    }

    @Override
    public Integer call() throws InterruptedException {
        Path binary = binary();
        if (!Files.isExecutable(binary)) {
            System.err.println("trot emulate: the emulator is not built (no " + binary.toAbsolutePath() + "): run"
                    + " `make -C hardware/firmware emulator` in " + home().toAbsolutePath() + " (it needs gcc and"
                    + " libmujoco-dev: apt-get install gcc make libmujoco-dev)");
            return 2;
        }
        RobotDescription robot = null;
        if (robotFile != null) {
            try {
                robot = RobotDescription.read(robotFile);
                int m = options.indexOf("--model");
                if (m >= 0 && m + 1 < options.size()) {
                    robot = robot.withModel(Path.of(options.get(m + 1)));
                }
                if (trot.env.sim.Mujoco.available()) {
                    trot.env.sim.ModelBinding.check(robot);   // every missing name at once, before the emulator starts
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("trot emulate: " + e.getMessage());
                return 2;
            }
        }
        List<String> command = commandLine(binary, robot, options);
        if (command.size() > 2 && command.get(1).equals("--model") && command.get(2).equals(Tasks.defaultA1Model().toString())
                && !Files.isRegularFile(Tasks.defaultA1Model())) {
            System.err.println("trot emulate: no A1 model at " + Tasks.defaultA1Model().toAbsolutePath()
                    + ": give one with --model FILE (or run trot from its own directory)");
            return 2;
        }
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            System.err.println("trot emulate: cannot start " + binary + ": " + e.getMessage());
            return 2;
        }
        // Ctrl-C or a SIGTERM to the JVM: pass it on as a SIGTERM, and give the emulator time for its summary (and,
        // with --video, to render the frames still queued and let ffmpeg finish the file).
        boolean video = options.stream().anyMatch(o -> o.equals("--video") || o.startsWith("--video="));
        long grace_s = video ? 600 : 5;
        Thread stop = new Thread(() -> {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(grace_s, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
            }
        }, "trot-emulate-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int code = process.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running already
        }
        return code;
    }
}
