package trot.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A quadruped as the walking task and the emulator see it: its MuJoCo model, which of the model's joints, sensors
 * and bodies play which part, its standing pose, action ranges, PD gains, torque limits and termination tilt, and
 * the hardware standing pose and gains. Read from a robot file ({@code hardware/a1/a1.robot}; docs/robot-file.md):
 * {@code key = value} lines, {@code #} comments, lists separated by spaces, a trailing {@code \} continuing a line.
 *
 * <p>Joints are in the policy's order: legs FR, FL, RR, RL, and per leg hip (abduction), thigh, calf. A list of
 * per-joint values may give 12 numbers, or 3 (hip, thigh, calf) that every leg shares; the torque limit also 1.
 *
 * @param file                    the robot file this was read from (paths in it are relative to its directory)
 * @param name                    the robot's name, for logs and run.txt
 * @param model                   the MJCF file
 * @param keyframe                the model's keyframe an episode starts from
 * @param trunk                   the floating base body (the body of the model's free joint)
 * @param joints                  the 12 hinge joints, in the policy's order; each driven by one actuator
 * @param orientationSensor       the IMU's orientation sensor (framequat, 4 values)
 * @param gyroSensor              the IMU's gyro (3 values, rad/s, trunk frame)
 * @param accelerometerSensor     the IMU's accelerometer (3 values, m/s^2)
 * @param velocimeterSensor       the trunk's velocimeter (3 values, m/s; the simulation's ground truth)
 * @param footSensors             the 4 feet's touch sensors, FR, FL, RR, RL
 * @param stand_rad               the standing pose the actions are centred on, 12 joint angles
 * @param actionRange_rad         half-range of the joint targets per joint: an action of +-1 moves a target this far
 * @param kp_Nm_per_rad           PD stiffness in simulation
 * @param kd_Nm_s_per_rad         PD damping in simulation
 * @param torqueLimit_Nm          PD torque clip per joint
 * @param terminationTilt_rad     roll or pitch beyond which the robot has fallen
 * @param contactThreshold_N      touch force above which a foot counts as in contact (simulation)
 * @param hardwareStand_rad       the standing pose on the hardware (and the emulator's standing start), 12 angles
 * @param hardwareKp_Nm_per_rad   PD stiffness the host sends the hardware while learning
 * @param hardwareKd_Nm_s_per_rad PD damping the host sends the hardware while learning
 * @param hipOffset_m             hip joints from the trunk origin, magnitudes along x and y (2 values), m
 * @param thighOffset_m           thigh joint from the hip joint along y (magnitude), m
 * @param thighLength_m           thigh joint to knee, m
 * @param calfLength_m            knee to the foot's centre, m (with the hip offsets: the velocity estimator's legs)
 */
public record RobotDescription(Path file, String name, Path model, String keyframe, String trunk, List<String> joints,
                               String orientationSensor, String gyroSensor, String accelerometerSensor,
                               String velocimeterSensor, List<String> footSensors, double[] stand_rad,
                               double[] actionRange_rad, double kp_Nm_per_rad, double kd_Nm_s_per_rad,
                               double[] torqueLimit_Nm, double terminationTilt_rad, double contactThreshold_N,
                               double[] hardwareStand_rad, double hardwareKp_Nm_per_rad,
                               double hardwareKd_Nm_s_per_rad, double[] hipOffset_m, double thighOffset_m,
                               double thighLength_m, double calfLength_m) {
    public static final int JOINTS = 12, FEET = 4;

    /** The file name suffix of robot files. */
    public static final String SUFFIX = ".robot";

    /** Every key of a robot file, in the order the docs list them; all are required. */
    public static final List<String> KEYS = List.of("name", "model", "keyframe", "trunk", "joints", "imu.orientation",
            "imu.gyro", "imu.accelerometer", "imu.velocimeter", "feet", "stand_rad", "action_range_rad",
            "kp_Nm_per_rad", "kd_Nm_s_per_rad", "torque_limit_Nm", "termination_tilt_deg", "contact_threshold_N",
            "hardware.stand_rad", "hardware.kp_Nm_per_rad", "hardware.kd_Nm_s_per_rad", "leg.hip_offset_m",
            "leg.thigh_offset_m", "leg.thigh_length_m", "leg.calf_length_m");

    public RobotDescription {
        String who = "robot description" + (file != null ? " " + file : "") + ": ";
        require(name != null && !name.isBlank(), who + "no name");
        require(model != null, who + "no model file");
        require(keyframe != null && !keyframe.isBlank() && trunk != null && !trunk.isBlank(), who + "no keyframe or trunk");
        require(joints != null && joints.size() == JOINTS, who + "needs " + JOINTS + " joints, got " + joints);
        require(footSensors != null && footSensors.size() == FEET, who + "needs " + FEET + " foot sensors, got " + footSensors);
        joints = List.copyOf(joints);
        footSensors = List.copyOf(footSensors);
        require(orientationSensor != null && gyroSensor != null && accelerometerSensor != null && velocimeterSensor != null,
                who + "an IMU sensor name is missing");
        stand_rad = perJoint(who, "stand_rad", stand_rad);
        actionRange_rad = perJoint(who, "action_range_rad", actionRange_rad);
        torqueLimit_Nm = perJoint(who, "torque_limit_Nm", torqueLimit_Nm);
        hardwareStand_rad = perJoint(who, "hardware.stand_rad", hardwareStand_rad);
        for (int j = 0; j < JOINTS; j++) {
            require(Math.abs(stand_rad[j]) <= 2 * Math.PI && Math.abs(hardwareStand_rad[j]) <= 2 * Math.PI,
                    who + "a standing pose angle is beyond 2 pi rad (is it in degrees?): " + Arrays.toString(stand_rad)
                            + " / " + Arrays.toString(hardwareStand_rad));
            require(actionRange_rad[j] > 0 && actionRange_rad[j] <= Math.PI, who + "action_range_rad must be in (0, pi],"
                    + " got " + Arrays.toString(actionRange_rad));
            require(torqueLimit_Nm[j] > 0, who + "torque_limit_Nm must be positive, got " + Arrays.toString(torqueLimit_Nm));
        }
        require(kp_Nm_per_rad > 0 && kd_Nm_s_per_rad >= 0 && Double.isFinite(kp_Nm_per_rad) && Double.isFinite(kd_Nm_s_per_rad),
                who + "kp_Nm_per_rad must be positive and kd_Nm_s_per_rad non-negative, got " + kp_Nm_per_rad + ", "
                        + kd_Nm_s_per_rad);
        require(hardwareKp_Nm_per_rad > 0 && hardwareKp_Nm_per_rad <= 500 && hardwareKd_Nm_s_per_rad >= 0
                        && hardwareKd_Nm_s_per_rad <= 50,
                who + "hardware.kp_Nm_per_rad must be in (0, 500] and hardware.kd_Nm_s_per_rad in [0, 50] (the firmware"
                        + " rejects more), got " + hardwareKp_Nm_per_rad + ", " + hardwareKd_Nm_s_per_rad);
        require(terminationTilt_rad > 0 && terminationTilt_rad < Math.PI / 2, who + "termination_tilt_deg must be in"
                + " (0, 90), got " + String.format(Locale.ROOT, "%.6g", Math.toDegrees(terminationTilt_rad)));
        require(contactThreshold_N >= 0 && Double.isFinite(contactThreshold_N), who + "contact_threshold_N must be"
                + " non-negative, got " + contactThreshold_N);
        require(hipOffset_m != null && hipOffset_m.length == 2, who + "leg.hip_offset_m needs 2 values (x, y)");
        hipOffset_m = hipOffset_m.clone();
        try {
            new trot.env.estimation.A1Kinematics(hipOffset_m[0], hipOffset_m[1], thighOffset_m, thighLength_m, calfLength_m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + "leg geometry: " + e.getMessage(), e);
        }
    }

    /** The legs' kinematics (the velocity estimator's foot positions and Jacobians). */
    public trot.env.estimation.A1Kinematics kinematics() {
        return new trot.env.estimation.A1Kinematics(hipOffset_m[0], hipOffset_m[1], thighOffset_m, thighLength_m,
                calfLength_m);
    }

    @Override
    public double[] hipOffset_m() {
        return hipOffset_m.clone();
    }

    private static double[] perJoint(String who, String key, double[] v) {
        require(v != null && v.length == JOINTS, who + key + " needs " + JOINTS + " values, got "
                + (v == null ? "none" : Arrays.toString(v)));
        for (double x : v) {
            require(Double.isFinite(x), who + key + " has a value that is not a finite number: " + Arrays.toString(v));
        }
        return v.clone();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** This robot on another MJCF file (the command line's {@code --model}): every name must be in that one too. */
    public RobotDescription withModel(Path other) {
        return new RobotDescription(file, name, other, keyframe, trunk, joints, orientationSensor, gyroSensor,
                accelerometerSensor, velocimeterSensor, footSensors, stand_rad, actionRange_rad, kp_Nm_per_rad,
                kd_Nm_s_per_rad, torqueLimit_Nm, terminationTilt_rad, contactThreshold_N, hardwareStand_rad,
                hardwareKp_Nm_per_rad, hardwareKd_Nm_s_per_rad, hipOffset_m, thighOffset_m, thighLength_m, calfLength_m);
    }

    /** The standing pose of joint {@code j}, rad. */
    public double stand_rad(int j) {
        return stand_rad[j];
    }

    /** The action half-range of joint {@code j}, rad. */
    public double actionRange_rad(int j) {
        return actionRange_rad[j];
    }

    /** The torque limit of joint {@code j}, N m. */
    public double torqueLimit_Nm(int j) {
        return torqueLimit_Nm[j];
    }

    /** The hardware standing pose of joint {@code j}, rad. */
    public double hardwareStand_rad(int j) {
        return hardwareStand_rad[j];
    }

    @Override
    public double[] stand_rad() {
        return stand_rad.clone();
    }

    @Override
    public double[] actionRange_rad() {
        return actionRange_rad.clone();
    }

    @Override
    public double[] torqueLimit_Nm() {
        return torqueLimit_Nm.clone();
    }

    @Override
    public double[] hardwareStand_rad() {
        return hardwareStand_rad.clone();
    }

    /** The largest torque limit of any joint, N m. */
    public double maxTorqueLimit_Nm() {
        return Arrays.stream(torqueLimit_Nm).max().orElseThrow();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RobotDescription r && java.util.Objects.equals(file, r.file) && name.equals(r.name)
                && model.equals(r.model) && keyframe.equals(r.keyframe) && trunk.equals(r.trunk) && joints.equals(r.joints)
                && orientationSensor.equals(r.orientationSensor) && gyroSensor.equals(r.gyroSensor)
                && accelerometerSensor.equals(r.accelerometerSensor) && velocimeterSensor.equals(r.velocimeterSensor)
                && footSensors.equals(r.footSensors) && Arrays.equals(stand_rad, r.stand_rad)
                && Arrays.equals(actionRange_rad, r.actionRange_rad) && kp_Nm_per_rad == r.kp_Nm_per_rad
                && kd_Nm_s_per_rad == r.kd_Nm_s_per_rad && Arrays.equals(torqueLimit_Nm, r.torqueLimit_Nm)
                && terminationTilt_rad == r.terminationTilt_rad && contactThreshold_N == r.contactThreshold_N
                && Arrays.equals(hardwareStand_rad, r.hardwareStand_rad) && hardwareKp_Nm_per_rad == r.hardwareKp_Nm_per_rad
                && hardwareKd_Nm_s_per_rad == r.hardwareKd_Nm_s_per_rad && Arrays.equals(hipOffset_m, r.hipOffset_m)
                && thighOffset_m == r.thighOffset_m && thighLength_m == r.thighLength_m && calfLength_m == r.calfLength_m;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, model, joints, footSensors, Arrays.hashCode(stand_rad), kp_Nm_per_rad);
    }

    @Override
    public String toString() {
        return name + " (" + (file != null ? file : "built in") + ": model " + model + ", stand " + Arrays.toString(stand_rad)
                + " rad, action range " + Arrays.toString(actionRange_rad) + " rad, kp " + kp_Nm_per_rad + ", kd "
                + kd_Nm_s_per_rad + ", torque limit " + Arrays.toString(torqueLimit_Nm) + " N m, termination "
                + String.format(Locale.ROOT, "%.6g", Math.toDegrees(terminationTilt_rad)) + " deg)";
    }

    // ---- the file ------------------------------------------------------------------------------------------------

    /**
     * Reads a robot file.
     *
     * @throws IllegalArgumentException naming the file and line for a syntax error, every missing key and every
     *                                  unknown one (with the keys the format has), or a value out of range
     * @throws IOException              when the file cannot be read ({@link NoSuchFileException} when absent)
     */
    public static RobotDescription load(Path file) throws IOException {
        return parse(file, Files.readString(file, StandardCharsets.UTF_8));
    }

    /** {@link #load} that reports an unreadable file as an {@link IllegalArgumentException} saying what to give. */
    public static RobotDescription read(Path file) {
        try {
            return load(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no robot file " + file.toAbsolutePath() + " (the A1's is hardware/a1/a1.robot;"
                    + " docs/robot-file.md describes the format)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the robot file " + file + ": " + e.getMessage());
        }
    }

    /** Parses the text of a robot file; {@code file} locates relative paths and names the file in errors. */
    public static RobotDescription parse(Path file, String text) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        String[] raw = text.split("\r?\n", -1);
        List<String> problems = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        StringBuilder pending = null;
        int pendingLine = 0;
        for (int i = 0; i < raw.length; i++) {
            String line = stripComment(raw[i]).strip();
            if (pending != null) {
                pending.append(' ').append(line);
            } else if (line.isEmpty()) {
                continue;
            } else {
                pending = new StringBuilder(line);
                pendingLine = i + 1;
            }
            if (pending.length() > 0 && pending.charAt(pending.length() - 1) == '\\') {
                pending.setLength(pending.length() - 1);
                if (i < raw.length - 1) {
                    continue;
                }
            }
            String entry = pending.toString().strip();
            pending = null;
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                problems.add("line " + pendingLine + ": '" + entry + "' is not 'key = value'");
                continue;
            }
            String key = entry.substring(0, eq).strip(), value = entry.substring(eq + 1).strip();
            if (KEYS.contains(key)) {
                seen.add(key);
            }
            if (!KEYS.contains(key)) {
                problems.add("line " + pendingLine + ": unknown key '" + key + "'" + suggestion(key));
            } else if (values.containsKey(key)) {
                problems.add("line " + pendingLine + ": '" + key + "' is given again (first on line " + lines.get(key) + ")");
            } else if (value.isEmpty()) {
                problems.add("line " + pendingLine + ": '" + key + "' has no value");
            } else {
                values.put(key, value);
                lines.put(key, pendingLine);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String k : KEYS) {
            if (!seen.contains(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            problems.add("missing " + String.join(", ", missing));
        }
        String where = "robot file " + file;
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + String.join("; ", problems) + ". The keys are " + KEYS
                    + " (docs/robot-file.md)");
        }
        Numbers n = new Numbers(where, values, lines);
        Path dir = file.toAbsolutePath().getParent();
        Path model = Path.of(values.get("model"));
        RobotDescription r;
        try {
            r = new RobotDescription(file, values.get("name"), model.isAbsolute() || dir == null ? model : dir.resolve(model).normalize(),
                    n.word("keyframe"), n.word("trunk"), n.words("joints", JOINTS), n.word("imu.orientation"),
                    n.word("imu.gyro"), n.word("imu.accelerometer"), n.word("imu.velocimeter"), n.words("feet", FEET),
                    n.perJoint("stand_rad", false), n.perJoint("action_range_rad", false), n.number("kp_Nm_per_rad"),
                    n.number("kd_Nm_s_per_rad"), n.perJoint("torque_limit_Nm", true),
                    Math.toRadians(n.number("termination_tilt_deg")), n.number("contact_threshold_N"),
                    n.perJoint("hardware.stand_rad", false), n.number("hardware.kp_Nm_per_rad"),
                    n.number("hardware.kd_Nm_s_per_rad"), n.numbers("leg.hip_offset_m", 2),
                    n.number("leg.thigh_offset_m"), n.number("leg.thigh_length_m"), n.number("leg.calf_length_m"));
        } catch (IllegalArgumentException e) {
            if (!n.problems.isEmpty()) {
                throw new IllegalArgumentException(where + ": " + String.join("; ", n.problems));
            }
            throw e;
        }
        if (!n.problems.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + String.join("; ", n.problems));
        }
        return r;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    /** The known key sharing the longest start with {@code key} (at least 4 characters), as a hint. */
    private static String suggestion(String key) {
        String k = key.toLowerCase(Locale.ROOT), best = null;
        int bestLength = 3;
        for (String known : KEYS) {
            int n = 0;
            while (n < k.length() && n < known.length() && k.charAt(n) == known.charAt(n)) {
                n++;
            }
            if (n > bestLength) {
                best = known;
                bestLength = n;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Values of a parsed file, collecting every problem instead of stopping at the first. */
    private static final class Numbers {
        final String where;
        final Map<String, String> values;
        final Map<String, Integer> lines;
        final List<String> problems = new ArrayList<>();

        Numbers(String where, Map<String, String> values, Map<String, Integer> lines) {
            this.where = where;
            this.values = values;
            this.lines = lines;
        }

        private String at(String key) {
            return "line " + lines.get(key) + ": " + key;
        }

        String word(String key) {
            String v = values.get(key);
            if (v.split("\\s+").length != 1) {
                problems.add(at(key) + " must be one name, got '" + v + "'");
            }
            return v;
        }

        List<String> words(String key, int count) {
            List<String> w = List.of(values.get(key).split("\\s+"));
            if (w.size() != count) {
                problems.add(at(key) + " needs " + count + " names, got " + w.size() + ": " + w);
                List<String> padded = new ArrayList<>(w);
                while (padded.size() < count) {
                    padded.add("?");
                }
                return padded.subList(0, count);
            }
            return w;
        }

        double number(String key) {
            String v = values.get(key);
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(at(key) + " must be a number, got '" + v + "'");
            return 1;
        }

        double[] numbers(String key, int count) {
            String[] parts = values.get(key).split("\\s+");
            double[] v = new double[count];
            java.util.Arrays.fill(v, 1);
            if (parts.length != count) {
                problems.add(at(key) + " needs " + count + " values, got " + parts.length);
                return v;
            }
            for (int i = 0; i < count; i++) {
                try {
                    v[i] = Double.parseDouble(parts[i]);
                } catch (NumberFormatException e) {
                    problems.add(at(key) + ": '" + parts[i] + "' is not a number");
                }
            }
            return v;
        }

        /** 12 values, or 3 (hip, thigh, calf) for every leg, or (when {@code single}) 1 for every joint. */
        double[] perJoint(String key, boolean single) {
            String[] parts = values.get(key).split("\\s+");
            double[] v = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    v[i] = Double.parseDouble(parts[i]);
                } catch (NumberFormatException e) {
                    problems.add(at(key) + ": '" + parts[i] + "' is not a number");
                    v[i] = 1;
                }
            }
            double[] out = new double[JOINTS];
            if (v.length == JOINTS) {
                return v;
            } else if (v.length == 3) {
                for (int j = 0; j < JOINTS; j++) {
                    out[j] = v[j % 3];
                }
            } else if (v.length == 1 && single) {
                Arrays.fill(out, v[0]);
            } else {
                problems.add(at(key) + " needs " + (single ? "1, " : "") + "3 (hip, thigh, calf, for every leg) or 12"
                        + " values, got " + v.length);
                Arrays.fill(out, 1);
            }
            return out;
        }
    }
}
