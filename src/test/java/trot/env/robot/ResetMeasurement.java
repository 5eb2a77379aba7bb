package trot.env.robot;

import trot.env.StepResult;
import trot.link.Emulator;
import trot.link.JSerialPort;
import trot.runtime.PeriodicPacer;
import trot.util.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The documented measurement of the automatic reset (docs/robot.md): starts the real emulator, makes the robot fall
 * again and again with the task's own actions (random actions each step, and one random action held for a whole
 * episode, alternately) in short episodes, and times every {@link A1Robot#reset}: how many needed a get-up, how many
 * get-ups succeeded (within the configured tries), tries used, median and maximum time.
 *
 * <pre>
 *   mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=trot.env.robot.ResetMeasurement \
 *       -Dexec.args="--resets 100 --episode-steps 40 --seed 1"
 * </pre>
 * Options: {@code --resets N} (100), {@code --episode-steps N} (40: 2 s), {@code --seed S} (1),
 * {@code --start standing|lying|side|side-left|side-right|back} (lying; the emulator's start pose),
 * {@code --blend-steps N} (the default 100).
 * <p>
 * With {@code --fresh} every reset is the first of a new emulator started in the {@code --start} pose, with the
 * {@code --seed} S + i for reset i (its sensor noise and biases; {@code --start side} alternates the side with the
 * seed's parity), and nothing is stepped after it: the get-up from exactly that pose, e.g.
 * <pre>
 *   scripts/robot-reset-measurement --fresh --start back --resets 10 --seed 1
 * </pre>
 */
public final class ResetMeasurement {
    private ResetMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int resets = 100, episodeSteps = 40, blend = RobotConfig.defaults().blendSteps();
        long seed = 1;
        String startPose = "lying";
        boolean fresh = false;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--fresh")) {
                fresh = true;
                i--;
                continue;
            }
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException("ResetMeasurement: " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--resets" -> resets = Integer.parseInt(v);
                case "--episode-steps" -> episodeSteps = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--start" -> startPose = v;
                case "--blend-steps" -> blend = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("ResetMeasurement: unknown option " + args[i]
                        + " (--resets, --episode-steps, --seed, --start, --blend-steps, --fresh)");
            }
        }
        RobotConfig config = RobotConfig.defaults().withMaxEpisodeSteps(episodeSteps).withBlendSteps(blend);
        if (fresh) {
            fresh(config, startPose, resets, seed);
            return;
        }
        Rng rng = new Rng(seed);
        List<Double> times = new ArrayList<>(), getUpTimes = new ArrayList<>();
        int getUps = 0, getUpsOk = 0, failures = 0, linkStops = 0, falls = 0, breaches = 0, truncations = 0;
        long triesUsed = 0;
        int[] triesHistogram = new int[config.getUpTries() + 1];
        float[] obs = new float[48], action = new float[12];
        StepResult out = new StepResult(48);
        long began = System.nanoTime();
        try (Emulator emulator = new Emulator("--start", startPose, "--seed", Long.toString(seed), "--quiet")) {
            A1Robot robot = new A1Robot(JSerialPort.opener(emulator.port, 1_000_000), config,
                    new PeriodicPacer(config.controlPeriod_s()));
            try {
                for (int r = 0; r < resets; r++) {
                    long tries0 = robot.getUpTries(), ups0 = robot.getUps();
                    try {
                        robot.reset(obs);
                    } catch (RobotStopException e) {
                        if (e.reason() == RobotStopException.Reason.LINK_LOST) {
                            // A late State on a loaded host ends a run, as it must; it is not a failed get-up.
                            linkStops++;
                            System.out.printf(Locale.ROOT, "reset %3d: run ended by the link (%s); reopening%n", r + 1,
                                    e.getMessage());
                            robot.close();
                            robot = new A1Robot(JSerialPort.opener(emulator.port, 1_000_000), config,
                                    new PeriodicPacer(config.controlPeriod_s()));
                            continue;
                        }
                        if (e.reason() != RobotStopException.Reason.GET_UP_FAILED) {
                            throw e;
                        }
                        failures++;
                        getUps++;
                        triesUsed += robot.getUpTries() - tries0;
                        System.out.printf(Locale.ROOT, "reset %3d: FAILED after %d tries (%s)%n", r + 1,
                                robot.getUpTries() - tries0, e.getMessage());
                        robot.close();
                        robot = new A1Robot(JSerialPort.opener(emulator.port, 1_000_000), config,
                                new PeriodicPacer(config.controlPeriod_s()));
                        continue;
                    }
                    double t = robot.lastReset_s();
                    times.add(t);
                    boolean getUp = robot.getUps() > ups0;
                    long tries = robot.getUpTries() - tries0;
                    if (getUp) {
                        getUps++;
                        getUpsOk++;
                        triesUsed += tries;
                        triesHistogram[(int) tries]++;
                        getUpTimes.add(t);
                    }
                    boolean held = r % 2 == 1;
                    for (int i = 0; i < 12; i++) {
                        action[i] = (float) (2 * rng.nextDouble() - 1);
                    }
                    String end = "running";
                    for (int s = 0; s < episodeSteps; s++) {
                        if (!held) {
                            for (int i = 0; i < 12; i++) {
                                action[i] = (float) (2 * rng.nextDouble() - 1);
                            }
                        }
                        try {
                            robot.step(action, out);
                        } catch (RobotStopException e) {
                            if (e.reason() != RobotStopException.Reason.LINK_LOST) {
                                throw e;
                            }
                            linkStops++;
                            end = "run ended by the link: " + e.getMessage();
                            robot.close();
                            robot = new A1Robot(JSerialPort.opener(emulator.port, 1_000_000), config,
                                    new PeriodicPacer(config.controlPeriod_s()));
                            break;
                        }
                        if (out.terminated) {
                            end = robot.lastBreach() + " at step " + (s + 1);
                            if (robot.lastBreach().equals("tilt")) {
                                falls++;
                            } else {
                                breaches++;
                            }
                            break;
                        }
                        if (out.truncated) {
                            end = "time limit";
                            truncations++;
                            break;
                        }
                    }
                    System.out.printf(Locale.ROOT, "reset %3d: %5.2f s, %s, %d tries; then %s actions: %s%n", r + 1, t,
                            getUp ? "get-up" : "already standing", tries, held ? "held random" : "random", end);
                }
            } finally {
                robot.close();
            }
        }
        double[] all = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] ups = getUpTimes.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%nresets %d in %.1f min: %d needed a get-up, %d of them succeeded (%.1f %%), %d"
                        + " failed all %d tries; tries per successful get-up %s (1..%d); %d falls, %d other breaches,"
                        + " %d time limits; %d runs ended by a late State (loaded host)%n", resets, (System.nanoTime() - began) / 6e10, getUps, getUpsOk,
                getUps == 0 ? 100.0 : 100.0 * getUpsOk / getUps, failures, config.getUpTries(),
                Arrays.toString(Arrays.copyOfRange(triesHistogram, 1, triesHistogram.length)), config.getUpTries(), falls,
                breaches, truncations, linkStops);
        System.out.printf(Locale.ROOT, "time per reset (all %d): median %.2f s, max %.2f s; per get-up (%d): median %.2f"
                + " s, max %.2f s%n", all.length, median(all), max(all), ups.length, median(ups), max(ups));
    }

    /** One reset per new emulator in {@code startPose}, seeds seed, seed + 1, ...: the get-up from that pose. */
    private static void fresh(RobotConfig config, String startPose, int resets, long seed) throws Exception {
        List<Double> times = new ArrayList<>();
        int ok = 0, failed = 0, linkStops = 0;
        int[] triesHistogram = new int[config.getUpTries() + 1];
        float[] obs = new float[48];
        long began = System.nanoTime();
        for (int r = 0; r < resets; r++) {
            long s = seed + r;
            try (Emulator emulator = new Emulator("--start", startPose, "--seed", Long.toString(s), "--quiet");
                 A1Robot robot = new A1Robot(JSerialPort.opener(emulator.port, 1_000_000), config,
                         new PeriodicPacer(config.controlPeriod_s()))) {
                try {
                    robot.reset(obs);
                } catch (RobotStopException e) {
                    if (e.reason() == RobotStopException.Reason.LINK_LOST) {
                        linkStops++;
                        System.out.printf(Locale.ROOT, "reset %3d (seed %d): run ended by the link (%s)%n", r + 1, s,
                                e.getMessage());
                        continue;
                    }
                    if (e.reason() != RobotStopException.Reason.GET_UP_FAILED) {
                        throw e;
                    }
                    failed++;
                    System.out.printf(Locale.ROOT, "reset %3d (seed %d): FAILED after %d tries%n", r + 1, s,
                            robot.getUpTries());
                    continue;
                }
                double t = robot.lastReset_s();
                times.add(t);
                ok++;
                triesHistogram[(int) robot.getUpTries()]++;
                System.out.printf(Locale.ROOT, "reset %3d (seed %d): %5.2f s, %s, %d tries; roll %.1f, pitch %.1f"
                                + " degrees%n", r + 1, s, t, robot.getUps() > 0 ? "get-up" : "already standing",
                        robot.getUpTries(), Math.toDegrees(obs[0]), Math.toDegrees(obs[1]));
            }
        }
        double[] all = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%nfresh resets from %s: %d in %.1f min: %d stood up, %d failed all %d tries, %d"
                        + " ended by a late State; tries per success %s (1..%d)%n", startPose, resets,
                (System.nanoTime() - began) / 6e10, ok, failed, config.getUpTries(), linkStops,
                Arrays.toString(Arrays.copyOfRange(triesHistogram, 1, triesHistogram.length)), config.getUpTries());
        System.out.printf(Locale.ROOT, "time per reset (%d): median %.2f s, max %.2f s%n", all.length, median(all),
                max(all));
    }

    private static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }
}
