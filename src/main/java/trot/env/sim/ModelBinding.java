package trot.env.sim;

import trot.env.RobotDescription;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a robot description's named joints, actuators, sensors, trunk and keyframe are in a loaded MuJoCo model:
 * qpos and qvel indices, actuator ids, sensordata addresses. {@link #bind} checks every name at once and reports all
 * that are missing or of the wrong kind together, each with what the model has instead.
 *
 * @param qposAddress     qpos index of each of the 12 joints, in the description's order
 * @param dofAddress      qvel index of each joint
 * @param actuator        the actuator driving each joint
 * @param touchAddress    sensordata address of each foot's touch sensor
 * @param quatAddress     sensordata address of the orientation (4 values)
 * @param gyroAddress     sensordata address of the gyro (3)
 * @param accelAddress    sensordata address of the accelerometer (3)
 * @param velocityAddress sensordata address of the velocimeter (3)
 * @param keyframe        the start keyframe's id
 * @param trunkQpos       qpos index of the trunk's free joint
 */
public record ModelBinding(int[] qposAddress, int[] dofAddress, int[] actuator, int[] touchAddress, int quatAddress,
                           int gyroAddress, int accelAddress, int velocityAddress, int keyframe, int trunkQpos) {
    /** MuJoCo's mjtSensor codes of the kinds a description names. */
    static final int TOUCH = 0, ACCELEROMETER = 1, VELOCIMETER = 2, GYRO = 3, FRAMEQUAT = 24;
    /** MuJoCo's mjtJoint codes. */
    static final int FREE = 0, HINGE = 3;

    /**
     * The addresses of {@code robot}'s names in {@code sim}.
     *
     * @throws IllegalArgumentException listing every joint, actuator, sensor, body and keyframe the model lacks (or
     *                                  has of another kind), and for each kind the names the model has
     */
    public static ModelBinding bind(Mujoco sim, RobotDescription robot) {
        List<String> problems = new ArrayList<>();
        int n = RobotDescription.JOINTS;
        int[] qpos = new int[n], dof = new int[n], act = new int[n], touch = new int[RobotDescription.FEET];
        List<String> missingJoints = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            String name = robot.joints().get(j);
            int id = sim.id(Mujoco.ObjectType.JOINT, name);
            if (id < 0 || sim.jointType(id) != HINGE) {
                missingJoints.add(name + (id < 0 ? "" : " (not a hinge)"));
                continue;
            }
            qpos[j] = sim.jointQposAddress(id);
            dof[j] = sim.jointDofAddress(id);
            List<String> drivers = new ArrayList<>();
            for (int a = 0; a < sim.nu(); a++) {
                if (sim.actuatorJoint(a) == id) {
                    drivers.add(String.valueOf(sim.name(Mujoco.ObjectType.ACTUATOR, a)));
                    act[j] = a;
                }
            }
            if (drivers.size() != 1) {
                problems.add("joint " + name + " is driven by " + (drivers.isEmpty() ? "no actuator" : drivers.size()
                        + " actuators " + drivers) + " (it needs exactly one, a torque motor)");
            }
        }
        if (!missingJoints.isEmpty()) {
            problems.add("no hinge joint " + String.join(", ", missingJoints) + "; the model's hinge joints are "
                    + namesOf(sim, Mujoco.ObjectType.JOINT, id -> sim.jointType(id) == HINGE));
        }
        List<String> missingSensors = new ArrayList<>();
        int quat = sensor(sim, robot.orientationSensor(), FRAMEQUAT, 4, "framequat", missingSensors);
        int gyro = sensor(sim, robot.gyroSensor(), GYRO, 3, "gyro", missingSensors);
        int accel = sensor(sim, robot.accelerometerSensor(), ACCELEROMETER, 3, "accelerometer", missingSensors);
        int vel = sensor(sim, robot.velocimeterSensor(), VELOCIMETER, 3, "velocimeter", missingSensors);
        for (int f = 0; f < RobotDescription.FEET; f++) {
            touch[f] = sensor(sim, robot.footSensors().get(f), TOUCH, 1, "touch", missingSensors);
        }
        if (!missingSensors.isEmpty()) {
            problems.add("no sensor " + String.join(", ", missingSensors) + "; the model's sensors are "
                    + sensorList(sim));
        }
        int trunkQpos = -1;
        int body = sim.id(Mujoco.ObjectType.BODY, robot.trunk());
        if (body < 0) {
            problems.add("no body " + robot.trunk() + " (the trunk); the model's bodies are "
                    + namesOf(sim, Mujoco.ObjectType.BODY, id -> id > 0));
        } else {
            int joint = sim.bodyFirstJoint(body);
            if (joint < 0 || sim.jointType(joint) != FREE) {
                problems.add("body " + robot.trunk() + " (the trunk) has no free joint; the bodies with one are "
                        + namesOf(sim, Mujoco.ObjectType.BODY, id -> {
                            int jt = sim.bodyFirstJoint(id);
                            return jt >= 0 && sim.jointType(jt) == FREE;
                        }));
            } else {
                trunkQpos = sim.jointQposAddress(joint);
            }
        }
        int key = sim.id(Mujoco.ObjectType.KEYFRAME, robot.keyframe());
        if (key < 0) {
            problems.add("no keyframe " + robot.keyframe() + "; the model's keyframes are "
                    + namesOf(sim, Mujoco.ObjectType.KEYFRAME, id -> true));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the model " + sim.file() + " does not have what the robot file "
                    + (robot.file() != null ? robot.file() : "(built in)") + " names: " + String.join("; ", problems)
                    + ". Correct the names in the robot file (or the model)");
        }
        return new ModelBinding(qpos, dof, act, touch, quat, gyro, accel, vel, key, trunkQpos);
    }

    private static int sensor(Mujoco sim, String name, int type, int dim, String kind, List<String> missing) {
        int id = sim.id(Mujoco.ObjectType.SENSOR, name);
        if (id < 0) {
            missing.add(name + " (" + kind + ")");
            return 0;
        }
        if (sim.sensorType(id) != type || sim.sensorDimension(id) != dim) {
            missing.add(name + " (a " + kind + " of " + dim + " value" + (dim > 1 ? "s" : "") + "; the model's is a "
                    + kindName(sim.sensorType(id)) + " of " + sim.sensorDimension(id) + ")");
            return 0;
        }
        return sim.sensorAddress(id);
    }

    private static String kindName(int type) {
        return switch (type) {
            case TOUCH -> "touch";
            case ACCELEROMETER -> "accelerometer";
            case VELOCIMETER -> "velocimeter";
            case GYRO -> "gyro";
            case FRAMEQUAT -> "framequat";
            default -> "sensor type " + type;
        };
    }

    private static String sensorList(Mujoco sim) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < sim.nsensor(); i++) {
            String name = sim.name(Mujoco.ObjectType.SENSOR, i);
            if (name != null && !name.isEmpty()) {
                out.add(name + " (" + kindName(sim.sensorType(i)) + ")");
            }
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    private static String namesOf(Mujoco sim, Mujoco.ObjectType type, java.util.function.IntPredicate keep) {
        List<String> out = new ArrayList<>();
        int count = switch (type) {
            case BODY -> sim.nbody();
            case JOINT -> sim.njnt();
            case KEYFRAME -> sim.nkey();
            default -> 0;
        };
        for (int i = 0; i < count; i++) {
            String name = sim.name(type, i);
            if (name != null && !name.isEmpty() && keep.test(i)) {
                out.add(name);
            }
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    /**
     * Loads {@code robot}'s model and checks its names without running anything (for commands that hand the
     * robot to another program, such as the emulator).
     *
     * @throws IllegalArgumentException as {@link #bind}, or when the model cannot be loaded
     * @throws IllegalStateException    when MuJoCo is not installed
     */
    public static void check(RobotDescription robot) {
        try (Mujoco sim = new Mujoco(robot.model())) {
            bind(sim, robot);
        }
    }
}
