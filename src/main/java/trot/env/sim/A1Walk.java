package trot.env.sim;

import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.RobotDescription;
import trot.env.StepResult;
import trot.env.Telemetry;
import trot.env.estimation.VelocityEstimator;
import trot.util.Rng;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * The paper's walking task (Smith et al. 2022) on a MuJoCo quadruped described by a robot file
 * ({@link RobotDescription}; the Unitree A1's is {@code hardware/a1/a1.robot}, over {@code hardware/a1/a1.xml}). The
 * numbers below are the A1's; every robot-specific one (gains, limits, pose, ranges, tilt) comes from the file.
 *
 * <h2>Control</h2>
 * 20 Hz: each {@link #step} holds joint targets for {@code controlPeriod / timestep} = 50 physics steps of 1 ms, and
 * at every physics step computes the PD torque {@code tau = Kp (q* - q) - Kd qdot} (Kp 60, Kd 10), clipped to
 * +-33.5 N m. Actions in [-1, 1] map linearly to targets around the standing pose:
 * {@code q* = q_stand + a * [0.2, 0.4, 0.4]} rad (hip, thigh, calf), {@code q_stand = [0.05, 0.7, -1.4]}. With
 * {@link ActionFilter#BUTTERWORTH} (off by default) the targets first pass the paper robot's action filter, a
 * 2nd-order Butterworth low-pass at 3 Hz seeded with the measured joint angles at each reset.
 *
 * <h2>Observation (48 numbers)</h2>
 * roll, pitch (rad); angular velocity (3, rad/s, trunk frame, gyro); linear velocity (3, m/s, trunk frame,
 * velocimeter); joint angles (12, rad); joint velocities (12, rad/s); foot contacts (4: 1 when the foot's touch
 * sensor reads above {@code contactThreshold}, else 0); the previous action (12). Legs in the order FR, FL, RR, RL;
 * joints hip, thigh, calf. (The velocity is measured in simulation; the real robot estimates it.)
 *
 * <h2>Reward</h2>
 * {@link Reward#PAPER}: {@code r = r_v(v_x) - 0.1 v_yaw^2} with target speed {@code v_t} (0.5 m/s) and the
 * continuous {@code r_v} of the paper's code ({@link #paperVelocityReward}): 1 on {@code [v_t, 2 v_t]}, linear from 0 at
 * {@code -v_t} to 1 at {@code v_t} and from 1 at {@code 2 v_t} to 0 at {@code 4 v_t}, 0 beyond; {@code v_x} is the
 * trunk's forward speed along its heading and {@code v_yaw} the yaw rate (world frame). {@link Reward#PAPER_LITERAL}:
 * the same with {@code r_v} as the paper prints it ({@link #paperLiteralVelocityReward}), a typo that jumps from 1 to
 * 0.5 just above {@code 2 v_t} and from -0.5 to 0 at {@code 4 v_t}. {@link Reward#REFERENCE}: the reference code's
 * continuous variant,
 * {@code 10 (ramp(cos(pitch) v_x) - 0.1 |v_yaw|)}, ramp = 1 on [v_t, 2 v_t] falling linearly to 0 at 2 v_t outside.
 *
 * <h2>Episodes</h2>
 * 400 steps (20 s) end by truncation; {@code |roll|} or {@code |pitch|} above 30 degrees ends the episode by
 * termination (a fall), as does a numerically unstable simulation. Each reset draws the terrain (flat, bumpy height
 * field or gentle slope) and the ground friction U(0.75, 1.25) from the environment's seed, puts the robot in the
 * standing pose and lifts it until nothing touches.
 */
public final class A1Walk implements Environment, Telemetry, trot.env.EpisodeReport, trot.env.Resumable {
    public static final int OBSERVATION_SIZE = 48, ACTION_SIZE = 12, JOINTS = 12;
    /** Offsets in the observation. */
    public static final int OBS_ROLL = 0, OBS_PITCH = 1, OBS_ANGULAR_VELOCITY = 2, OBS_LINEAR_VELOCITY = 5,
            OBS_JOINT_ANGLES = 8, OBS_JOINT_VELOCITIES = 20, OBS_FOOT_CONTACTS = 32, OBS_PREVIOUS_ACTION = 36;
    public static final String[] LEGS = {"FR", "FL", "RR", "RL"};
    public static final String[] JOINT_KINDS = {"hip", "thigh", "calf"};

    /**
     * Which reward to compute: {@code PAPER} (the paper's {@code r_v - 0.1 v_yaw^2} with the continuous {@code r_v} of
     * its code), {@code REFERENCE} (the reference code's scaled variant) or {@code PAPER_LITERAL} (the paper's
     * {@code r_v} exactly as printed, typo included; for comparison only).
     */
    public enum Reward { PAPER, REFERENCE, PAPER_LITERAL }

    /**
     * How a bumpy field is made from random heights on a grid every {@code bumpSpacing_m} metres.
     * {@code BILINEAR_FLAT_START}: bilinear interpolation onto the height field's cells, then the 1 m square around the
     * start set to 0 (the robot is put down level; its edge is a step of up to the bump height).
     * {@code BLURRED} (the reference preset): bilinear interpolation, then a 3 x 3-cell box blur (a moving average
     * over 0.3 m at the model's 10 cm cells, one pass along x, one along y, edges clamped); no flattened start, so
     * the whole field is one smooth surface. The blur averages, so every height stays within the grid heights'
     * range and the height difference between adjacent cells does not grow: at most
     * {@code (bumpHeight_m - bumpHeightMin_m) / bumpSpacing_m} per metre.
     */
    public enum BumpStyle { BILINEAR_FLAT_START, BLURRED }

    /**
     * Where the observation's linear velocity and the reward's forward speed come from: {@link #TRUE} the simulator's
     * velocimeter (the default), {@link #ESTIMATED} the real robot's view, a {@link VelocityEstimator} of the IMU
     * (quaternion, gyro, accelerometer), the joint encoders and the foot forces, run every
     * {@link #ESTIMATOR_PERIOD_STEPS} physics steps. Evaluation read-outs ({@link #forwardSpeed()}) stay the true speed.
     */
    public enum Velocity { TRUE, ESTIMATED }

    /**
     * Physics steps between estimator updates (2 ms): the fastest rate the real robot's host sees States over the
     * link (every 2-5 ms), and Q, R are per filter step, so the simulated filter is tuned as on the robot.
     */
    public static final int ESTIMATOR_PERIOD_STEPS = 2;

    /**
     * Terrain drawn at each reset: the kind with probability proportional to its weight.
     *
     * @param flatWeight      weight of flat ground
     * @param bumpyWeight     weight of a bumpy height field
     * @param slopeWeight     weight of a gentle slope
     * @param bumpHeight_m    largest bump height: the grid heights are uniform in {@code [bumpHeightMin_m, bumpHeight_m]}
     * @param bumpSpacing_m   distance between the random heights that are interpolated into bumps
     * @param maxSlope_rad    largest slope angle (up or down the direction of walking)
     * @param bumpHeightMin_m smallest grid height (0 in the default mix)
     * @param bumpStyle       how the grid heights become the field
     */
    public record Terrain(double flatWeight, double bumpyWeight, double slopeWeight, double bumpHeight_m,
                          double bumpSpacing_m, double maxSlope_rad, double bumpHeightMin_m, BumpStyle bumpStyle) {
        public Terrain {
            if (!(flatWeight >= 0 && bumpyWeight >= 0 && slopeWeight >= 0) || flatWeight + bumpyWeight + slopeWeight <= 0) {
                throw new IllegalArgumentException("A1Walk terrain: weights must be non-negative and not all zero, got "
                        + flatWeight + ", " + bumpyWeight + ", " + slopeWeight);
            }
            if (!(bumpHeight_m >= 0 && bumpHeight_m <= 0.2) || !(bumpSpacing_m >= 0.1)) {
                throw new IllegalArgumentException("A1Walk terrain: bump height must be in [0, 0.2] m and spacing at least"
                        + " 0.1 m, got " + bumpHeight_m + " and " + bumpSpacing_m);
            }
            if (!(maxSlope_rad >= 0 && maxSlope_rad <= 0.3)) {
                throw new IllegalArgumentException("A1Walk terrain: the largest slope must be in [0, 0.3] rad, got " + maxSlope_rad);
            }
            if (!(bumpHeightMin_m >= 0 && bumpHeightMin_m <= bumpHeight_m)) {
                throw new IllegalArgumentException("A1Walk terrain: the smallest bump height must be in [0, bump height "
                        + bumpHeight_m + "] m, got " + bumpHeightMin_m);
            }
            if (bumpStyle == null) {
                throw new IllegalArgumentException("A1Walk terrain: no bump style; choose one of "
                        + java.util.Arrays.toString(BumpStyle.values()));
            }
        }

        /** Bumps from 0 to {@code bumpHeight_m}, bilinear, flat start: the mix trot has always drawn. */
        public Terrain(double flatWeight, double bumpyWeight, double slopeWeight, double bumpHeight_m,
                       double bumpSpacing_m, double maxSlope_rad) {
            this(flatWeight, bumpyWeight, slopeWeight, bumpHeight_m, bumpSpacing_m, maxSlope_rad, 0,
                    BumpStyle.BILINEAR_FLAT_START);
        }

        /** Flat, bumps up to 4 cm every 0.4 m, slopes up to 5 degrees; a third each. */
        public static Terrain defaults() {
            return new Terrain(1, 1, 1, 0.04, 0.4, Math.toRadians(5));
        }

        /** Always flat. */
        public static Terrain flat() {
            return new Terrain(1, 0, 0, 0.04, 0.4, 0);
        }

        /**
         * The reference code's terrain: every episode a new bumpy field, heights uniform in [0.025, 0.05] m on a
         * 0.2 m grid, {@link BumpStyle#BLURRED smoothed} (bilinear, then a 3 x 3-cell box blur).
         */
        public static Terrain reference() {
            return new Terrain(0, 1, 0, 0.05, 0.2, 0, 0.025, BumpStyle.BLURRED);
        }
    }

    /**
     * A filter on the joint targets {@code q*} (the actions after {@link #mapAction}) before the PD law.
     * {@code NONE}: the targets as mapped. {@code BUTTERWORTH}: the paper robot's filter, a 2nd-order Butterworth
     * low-pass with cutoff {@link #ACTION_FILTER_CUTOFF_HZ} at the control rate ({@link trot.env.ButterworthLowPass}),
     * per joint, its history seeded at every reset with the measured joint angles. The observation's previous action
     * stays the policy's (unfiltered) action.
     */
    public enum ActionFilter { NONE, BUTTERWORTH }

    /** The paper robot's action filter cutoff, Hz. */
    public static final double ACTION_FILTER_CUTOFF_HZ = 3;

    /**
     * The task's constants.
     *
     * @param robot                 the robot: its model, which joints and sensors are which, standing pose, action
     *                              ranges, PD gains, torque limits and termination tilt ({@code hardware/a1/a1.robot})
     * @param targetSpeed_mps       v_t
     * @param reward                the reward variant
     * @param controlPeriod_s       time between actions
     * @param maxEpisodeSteps       time limit in actions
     * @param frictionMin           lower bound of the ground friction
     * @param frictionMax           upper bound of the ground friction
     * @param terrain               terrain distribution
     * @param actionFilter          the filter on the joint targets before the PD law ({@link ActionFilter#NONE}: none)
     */
    public record Config(RobotDescription robot, double targetSpeed_mps, Reward reward, double controlPeriod_s,
                         int maxEpisodeSteps, double frictionMin, double frictionMax, Terrain terrain,
                         ActionFilter actionFilter) {
        public Config {
            if (robot == null) {
                throw new IllegalArgumentException("A1Walk config: no robot description; load one with"
                        + " RobotDescription.load(Path.of(\"hardware/a1/a1.robot\"))");
            }
            if (actionFilter == null) {
                throw new IllegalArgumentException("A1Walk config: no action filter; choose one of "
                        + java.util.Arrays.toString(ActionFilter.values()));
            }
            if (!(targetSpeed_mps > 0) || !(controlPeriod_s > 0) || maxEpisodeSteps < 1 || !(frictionMin > 0)
                    || !(frictionMax >= frictionMin)) {
                throw new IllegalArgumentException("A1Walk config: the target speed, control period, episode length and"
                        + " friction bounds must be positive (friction max >= min); got target speed " + targetSpeed_mps
                        + " m/s, control period " + controlPeriod_s + " s, " + maxEpisodeSteps + " steps, friction ["
                        + frictionMin + ", " + frictionMax + "]");
            }
        }

        /** The paper's task (20 Hz, 400 steps, v_t 0.5 m/s, friction U(0.75, 1.25), the terrain mix) on {@code robot}. */
        public static Config paper(RobotDescription robot) {
            return new Config(robot, 0.5, Reward.PAPER, 0.05, 400, 0.75, 1.25, Terrain.defaults(), ActionFilter.NONE);
        }

        /** The MJCF file. */
        public Path model() {
            return robot.model();
        }

        /** PD stiffness, N m / rad. */
        public double kp() {
            return robot.kp_Nm_per_rad();
        }

        /** PD damping, N m s / rad. */
        public double kd() {
            return robot.kd_Nm_s_per_rad();
        }

        /** Roll or pitch beyond which the robot has fallen, rad. */
        public double terminationAngle_rad() {
            return robot.terminationTilt_rad();
        }

        /** Touch force above which a foot counts as in contact, N. */
        public double contactThreshold_N() {
            return robot.contactThreshold_N();
        }

        public Config withRobot(RobotDescription r) {
            return new Config(r, targetSpeed_mps, reward, controlPeriod_s, maxEpisodeSteps, frictionMin, frictionMax,
                    terrain, actionFilter);
        }

        public Config withReward(Reward r) {
            return new Config(robot, targetSpeed_mps, r, controlPeriod_s, maxEpisodeSteps, frictionMin, frictionMax,
                    terrain, actionFilter);
        }

        public Config withTerrain(Terrain t) {
            return new Config(robot, targetSpeed_mps, reward, controlPeriod_s, maxEpisodeSteps, frictionMin, frictionMax,
                    t, actionFilter);
        }

        public Config withActionFilter(ActionFilter f) {
            return new Config(robot, targetSpeed_mps, reward, controlPeriod_s, maxEpisodeSteps, frictionMin, frictionMax,
                    terrain, f);
        }

        public Config withTargetSpeed(double v) {
            return new Config(robot, v, reward, controlPeriod_s, maxEpisodeSteps, frictionMin, frictionMax, terrain,
                    actionFilter);
        }
    }

    /** How far behind the height field's near (-x) edge the robot starts, m: the whole field lies ahead of it. */
    private static final double START_MARGIN_M = 5;

    private final Config config;
    private final EnvSpec spec;
    private final Mujoco sim;
    private final int substeps;
    private final int[] qposAddress = new int[JOINTS], dofAddress = new int[JOINTS], actuator = new int[JOINTS];
    private final int[] touchAddress = new int[4];
    private final int quatAddress, gyroAddress, velocityAddress, accelAddress;
    /** qpos index of the trunk's free joint (its position x, y, z, then its quaternion). */
    private final int trunkQpos;
    private final RobotDescription robot;
    private final double[] torqueLimit_Nm;
    private final Velocity velocity;
    private final VelocityEstimator estimator;   // null for Velocity.TRUE
    private final float[] estQuat = new float[4], estGyro = new float[3], estAccel = new float[3], estQ = new float[JOINTS],
            estDq = new float[JOINTS], estForce = new float[4];
    private final int homeKey, hfield, terrainGeom, floorGeom;
    private final int hfRows, hfCols, hfAddress;
    private final double fieldMinX_m, fieldMinY_m, fieldLengthX_m, fieldWidthY_m, startX_m, startY_m;
    private final DoubleBuffer qpos, qvel, ctrl, sensors, geomFriction, geomPos, hfieldSize;
    private final FloatBuffer heights;
    private final double[] targets = new double[JOINTS];
    private final trot.env.ButterworthLowPass actionFilter;   // null: no filter
    private final float[] filterBuffer = new float[JOINTS];
    private final float[] previousAction = new float[ACTION_SIZE];
    private final float[] terrainHeights;   // the terrain's elevation grid in metres (rows y, columns x)
    private final float[] coarse;            // scratch for bump generation
    private Rng rng = new Rng(0);
    private int steps;
    private boolean running;
    private long unstable;
    private String terrainKind = "none";
    private double friction;

    /**
     * @throws IllegalArgumentException when the model lacks a joint, actuator, sensor, keyframe or geom the task needs
     * @throws IllegalStateException    when MuJoCo is not installed (the message says what to install)
     */
    public A1Walk(Config config) {
        this(config, Velocity.TRUE, VelocityEstimator.Config.reference());
    }

    /**
     * The task with the velocity source {@code velocity}; {@code estimator} configures the filter of
     * {@link Velocity#ESTIMATED} (unused for {@link Velocity#TRUE}).
     *
     * @throws IllegalArgumentException as {@link #A1Walk(Config)}, or when {@code velocity} or {@code estimator} is null
     */
    public A1Walk(Config config, Velocity velocity, VelocityEstimator.Config estimator) {
        if (velocity == null || estimator == null) {
            throw new IllegalArgumentException("A1Walk: the velocity source and the estimator configuration must not be"
                    + " null; use Velocity.TRUE and VelocityEstimator.Config.reference()");
        }
        this.velocity = velocity;
        this.estimator = velocity == Velocity.ESTIMATED ? new VelocityEstimator(estimator, config.robot().kinematics()) : null;
        this.config = config;
        this.sim = new Mujoco(config.model());
        double ratio = config.controlPeriod_s() / sim.timestep();
        this.substeps = (int) Math.round(ratio);
        if (substeps < 1 || Math.abs(ratio - substeps) > 1e-6) {
            sim.close();
            throw new IllegalArgumentException("A1Walk: the control period " + config.controlPeriod_s() + " s is not a"
                    + " whole number of physics steps of " + sim.timestep() + " s");
        }
        if (config.actionFilter() == ActionFilter.BUTTERWORTH) {
            try {
                actionFilter = new trot.env.ButterworthLowPass(JOINTS, ACTION_FILTER_CUTOFF_HZ, 1 / config.controlPeriod_s());
            } catch (IllegalArgumentException e) {
                sim.close();
                throw new IllegalArgumentException("A1Walk: the Butterworth action filter does not fit the control period "
                        + config.controlPeriod_s() + " s: " + e.getMessage(), e);
            }
        } else {
            actionFilter = null;
        }
        float[] low = new float[ACTION_SIZE], high = new float[ACTION_SIZE];
        java.util.Arrays.fill(low, -1f);
        java.util.Arrays.fill(high, 1f);
        this.spec = new EnvSpec("A1Walk", OBSERVATION_SIZE, ACTION_SIZE, low, high, config.maxEpisodeSteps(),
                config.controlPeriod_s());
        this.robot = config.robot();
        this.torqueLimit_Nm = robot.torqueLimit_Nm();
        try {
            ModelBinding b = ModelBinding.bind(sim, robot);
            System.arraycopy(b.qposAddress(), 0, qposAddress, 0, JOINTS);
            System.arraycopy(b.dofAddress(), 0, dofAddress, 0, JOINTS);
            System.arraycopy(b.actuator(), 0, actuator, 0, JOINTS);
            System.arraycopy(b.touchAddress(), 0, touchAddress, 0, 4);
            quatAddress = b.quatAddress();
            gyroAddress = b.gyroAddress();
            velocityAddress = b.velocityAddress();
            accelAddress = b.accelAddress();
            homeKey = b.keyframe();
            trunkQpos = b.trunkQpos();
            hfield = sim.requireId(Mujoco.ObjectType.HEIGHT_FIELD, "terrain");
            terrainGeom = sim.requireId(Mujoco.ObjectType.GEOM, "terrain");
            floorGeom = sim.requireId(Mujoco.ObjectType.GEOM, "floor");
        } catch (RuntimeException e) {
            sim.close();
            throw e;
        }
        int[] hf = sim.heightField(hfield);
        hfRows = hf[0];
        hfCols = hf[1];
        hfAddress = hf[2];
        qpos = sim.qpos();
        qvel = sim.qvel();
        ctrl = sim.ctrl();
        sensors = sim.sensordata();
        geomFriction = sim.doubles("geom_friction");
        geomPos = sim.doubles("geom_pos");
        hfieldSize = sim.doubles("hfield_size");
        heights = sim.heightFieldData();
        // The field's extent, from the model: half sizes in hfield_size, centre at the terrain geom's position.
        double halfX = hfieldSize.get(4 * hfield), halfY = hfieldSize.get(4 * hfield + 1);
        fieldMinX_m = geomPos.get(3 * terrainGeom) - halfX;
        fieldMinY_m = geomPos.get(3 * terrainGeom + 1) - halfY;
        fieldLengthX_m = 2 * halfX;
        fieldWidthY_m = 2 * halfY;
        startX_m = fieldMinX_m + START_MARGIN_M;
        startY_m = geomPos.get(3 * terrainGeom + 1);
        terrainHeights = new float[hfRows * hfCols];
        coarse = new float[(hfRows + 2) * (hfCols + 2)];
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public void seed(long seed) {
        rng = new Rng(seed);
        running = false;
    }

    @Override
    public void reset(float[] observation) {
        checkOpen("reset");
        spec.checkObservationBuffer("A1Walk.reset", observation);
        rng.saveState(rngAtReset, 0);
        drawTerrain();
        sim.resetToKeyframe(homeKey);
        // Standing pose at the start of the track, lifted until no geom touches anything.
        qpos.put(trunkQpos, startX_m);
        qpos.put(trunkQpos + 1, startY_m);
        qpos.put(trunkQpos + 2, qpos.get(trunkQpos + 2) + terrainHeightAt(startX_m, startY_m));
        sim.forward();
        for (int lift = 0; lift < 200 && sim.contactCount() > 0; lift++) {
            qpos.put(trunkQpos + 2, qpos.get(trunkQpos + 2) + 0.005);
            sim.forward();
        }
        if (actionFilter != null) {
            for (int j = 0; j < JOINTS; j++) {
                filterBuffer[j] = (float) qpos.get(qposAddress[j]);
            }
            actionFilter.reset(filterBuffer);
        }
        java.util.Arrays.fill(previousAction, 0f);
        if (estimator != null) {
            estimator.reset();   // the robot is put down at rest: v = 0 is right
        }
        steps = 0;
        running = true;
        observe(observation);
    }

    @Override
    public void step(float[] action, StepResult out) {
        checkOpen("step");
        if (!running) {
            throw new IllegalStateException("A1Walk.step: no episode is running; call reset() first");
        }
        spec.checkAction(action);
        spec.checkObservationBuffer("A1Walk.step", out.observation);
        mapAction(robot, action, targets);
        if (actionFilter != null) {
            for (int j = 0; j < JOINTS; j++) {
                filterBuffer[j] = (float) targets[j];
            }
            actionFilter.filter(filterBuffer, filterBuffer);
            for (int j = 0; j < JOINTS; j++) {
                targets[j] = filterBuffer[j];
            }
        }
        boolean broken = false;
        for (int s = 0; s < substeps && !broken; s++) {
            for (int j = 0; j < JOINTS; j++) {
                ctrl.put(actuator[j], pdTorque(targets[j], qpos.get(qposAddress[j]), qvel.get(dofAddress[j]),
                        config.kp(), config.kd(), torqueLimit_Nm[j]));
            }
            broken = (sim.step(1) & UNSTABLE) != 0;
            if (physicsListener != null) {
                physicsListener.afterPhysicsStep(sim.time());
            }
            if (estimator != null && (s + 1) % ESTIMATOR_PERIOD_STEPS == 0) {
                estimate();
            }
        }
        broken |= (sim.forward() & UNSTABLE) != 0;
        System.arraycopy(action, 0, previousAction, 0, ACTION_SIZE);
        steps++;
        observe(out.observation);
        if (broken) {
            // MuJoCo has reset the state to the model's default pose: nothing after this point is the robot's.
            // End the episode as a failure, with no reward for the reset state.
            unstable++;
            LOG.log(System.Logger.Level.WARNING, "A1Walk: the simulation became unstable at step " + steps
                    + " (MuJoCo reset it); the episode ends as a fall. Unstable steps so far: " + unstable);
            out.reward = 0;
            out.terminated = true;
        } else {
            double roll = out.observation[OBS_ROLL], pitch = out.observation[OBS_PITCH];
            out.reward = (float) reward();
            out.terminated = Math.abs(roll) > config.terminationAngle_rad() || Math.abs(pitch) > config.terminationAngle_rad();
        }
        out.truncated = !out.terminated && steps >= spec.maxEpisodeSteps();
        running = !(out.terminated || out.truncated);
        if (!running) {
            lastEnd = broken ? trot.env.EpisodeEnd.SIM_UNSTABLE : out.terminated ? trot.env.EpisodeEnd.TILT
                    : trot.env.EpisodeEnd.TIME_LIMIT;
        }
    }

    private trot.env.EpisodeEnd lastEnd;

    /** {@code tilt} (|roll| or |pitch| past the termination angle), {@code sim-unstable} or {@code time-limit}. */
    @Override
    public trot.env.EpisodeEnd lastEpisodeEnd() {
        return lastEnd;
    }

    /** {@code terrain} (flat, bumpy or slope) and {@code friction} (the ground's sliding friction coefficient). */
    @Override
    public java.util.Map<String, String> episodeConditions() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("terrain", terrainKind);
        m.put("friction", String.format(java.util.Locale.ROOT, "%.3f", friction));
        return m;
    }

    /** Told of every physics step inside {@link #step} (a video samples the simulation's clock with it). */
    @FunctionalInterface
    public interface PhysicsListener {
        /** The simulation has advanced one physics step, to {@code time_s} (MuJoCo's clock; 0 at reset). */
        void afterPhysicsStep(double time_s);
    }

    private PhysicsListener physicsListener;

    /** Calls {@code listener} after every physics step from now on; null stops it. It must not change the
     * simulation (a {@link Renderer} from {@link #renderer} does not). */
    public void physicsListener(PhysicsListener listener) {
        this.physicsListener = listener;
    }

    /** The simulation's clock, seconds (0 at reset). */
    public double simulationTime_s() {
        return sim.time();
    }

    /** Physics time step, seconds. */
    public double physicsStep_s() {
        return sim.timestep();
    }

    /**
     * A renderer of this task's simulation (its current state, terrain included), for videos.
     *
     * @throws IllegalStateException when no headless GL context can be made here (the message names what to install)
     */
    public Renderer renderer(int width, int height, Renderer.Camera camera, Renderer.Quality quality) {
        checkOpen("renderer");
        return new Renderer(sim, width, height, camera, quality);
    }

    private static final int UNSTABLE = Mujoco.WARN_BADQACC | Mujoco.WARN_BADQPOS | Mujoco.WARN_BADQVEL;
    private static final System.Logger LOG = System.getLogger(A1Walk.class.getName());

    /**
     * Joint targets {@code q* = q_stand + a * range} of {@code robot}'s standing pose and action ranges, in the
     * policy's joint order (FR, FL, RR, RL x hip, thigh, calf).
     */
    public static void mapAction(RobotDescription robot, float[] action, double[] targets) {
        for (int j = 0; j < JOINTS; j++) {
            targets[j] = robot.stand_rad(j) + action[j] * robot.actionRange_rad(j);
        }
    }

    /** {@code clip(kp (target - q) - kd qdot, -limit, limit)}, N m. */
    public static double pdTorque(double target, double q, double qdot, double kp, double kd, double limit) {
        double tau = kp * (target - q) - kd * qdot;
        return Math.max(-limit, Math.min(limit, tau));
    }

    /**
     * The paper's velocity term as its code computes it (the default, {@link Reward#PAPER}):
     * <pre>
     *   r_v = 0                              for v_x <= -v_t
     *         1 - (v_t - v_x) / (2 v_t)      for -v_t < v_x < v_t      (0 at -v_t, 1 at v_t)
     *         1                              for v_t <= v_x <= 2 v_t
     *         1 - (v_x - 2 v_t) / (2 v_t)    for 2 v_t < v_x < 4 v_t   (1 at 2 v_t, 0 at 4 v_t)
     *         0                              for v_x >= 4 v_t
     * </pre>
     * Continuous everywhere. The paper prints the upper ramp as {@code 1 - |v_x - v_t| / (2 v_t)}, measured from
     * {@code v_t} instead of {@code 2 v_t}: a typo, kept as {@link #paperLiteralVelocityReward}.
     */
    public static double paperVelocityReward(double vx, double vt) {
        if (vx <= -vt || vx >= 4 * vt) {
            return 0;
        }
        if (vx < vt) {
            return 1 - (vt - vx) / (2 * vt);
        }
        if (vx <= 2 * vt) {
            return 1;
        }
        return 1 - (vx - 2 * vt) / (2 * vt);
    }

    /**
     * The paper's velocity term exactly as printed ({@link Reward#PAPER_LITERAL}): 1 on {@code [v_t, 2 v_t]}, 0 for
     * {@code v_x <= -v_t} or {@code v_x >= 4 v_t}, else {@code 1 - |v_x - v_t| / (2 v_t)}. Below {@code v_t} this is
     * the continuous ramp; above {@code 2 v_t} it is a typo: it jumps from 1 to 0.5 just above {@code 2 v_t}, falls to
     * -0.5 just below {@code 4 v_t} and jumps to 0 there. The paper's code ramps from 1 at {@code 2 v_t} to 0 at
     * {@code 4 v_t} ({@link #paperVelocityReward}).
     */
    public static double paperLiteralVelocityReward(double vx, double vt) {
        if (vx >= vt && vx <= 2 * vt) {
            return 1;
        }
        if (vx <= -vt || vx >= 4 * vt) {
            return 0;
        }
        return 1 - Math.abs(vx - vt) / (2 * vt);
    }

    /** The reference code's velocity term: 1 on [v_t, 2 v_t], falling linearly to 0 at a distance 2 v_t outside. */
    public static double referenceVelocityReward(double v, double vt) {
        double distance = v < vt ? vt - v : v > 2 * vt ? v - 2 * vt : 0;
        return Math.max(0, 1 - distance / (2 * vt));
    }

    /** The reward of the current state (after a step). */
    private double reward() {
        double forward = velocity == Velocity.TRUE ? forwardSpeed() : estimatedForwardSpeed(), yawRate = yawRate();
        double vt = config.targetSpeed_mps();
        if (config.reward() == Reward.PAPER) {
            return paperVelocityReward(forward, vt) - 0.1 * yawRate * yawRate;
        }
        if (config.reward() == Reward.PAPER_LITERAL) {
            return paperLiteralVelocityReward(forward, vt) - 0.1 * yawRate * yawRate;
        }
        double pitch = pitch(quat(0), quat(1), quat(2), quat(3));
        return 10 * (referenceVelocityReward(Math.cos(pitch) * linearVelocity(0), vt) - 0.1 * Math.abs(yawRate));
    }

    private double quat(int i) {
        return sensors.get(quatAddress + i);
    }

    /** Rotation matrix (row-major) of the trunk from its orientation quaternion. */
    private double[] rotation() {
        return rotationMatrix(quat(0), quat(1), quat(2), quat(3), rotationScratch);
    }

    /**
     * The row-major rotation matrix of the unit quaternion {@code (w, x, y, z)} (body to world) into {@code out}
     * (9 entries), returned. Shared with the real robot's environment, which reads the IMU's quaternion.
     */
    public static double[] rotationMatrix(double w, double x, double y, double z, double[] out) {
        out[0] = 1 - 2 * (y * y + z * z);
        out[1] = 2 * (x * y - w * z);
        out[2] = 2 * (x * z + w * y);
        out[3] = 2 * (x * y + w * z);
        out[4] = 1 - 2 * (x * x + z * z);
        out[5] = 2 * (y * z - w * x);
        out[6] = 2 * (x * z - w * y);
        out[7] = 2 * (y * z + w * x);
        out[8] = 1 - 2 * (x * x + y * y);
        return out;
    }

    private final double[] rotationScratch = new double[9];

    /** Roll of the orientation quaternion (w, x, y, z), rad: rotation about the trunk's x axis. */
    public static double roll(double w, double x, double y, double z) {
        return Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
    }

    /** Pitch of the orientation quaternion (w, x, y, z), rad: rotation about the trunk's y axis, in [-pi/2, pi/2]. */
    public static double pitch(double w, double x, double y, double z) {
        return Math.asin(Math.max(-1, Math.min(1, 2 * (w * y - z * x))));
    }

    private void observe(float[] o) {
        double w = quat(0), x = quat(1), y = quat(2), z = quat(3);
        o[OBS_ROLL] = (float) roll(w, x, y, z);
        o[OBS_PITCH] = (float) pitch(w, x, y, z);
        for (int i = 0; i < 3; i++) {
            o[OBS_ANGULAR_VELOCITY + i] = (float) sensors.get(gyroAddress + i);
            o[OBS_LINEAR_VELOCITY + i] = (float) linearVelocity(i);
        }
        for (int j = 0; j < JOINTS; j++) {
            o[OBS_JOINT_ANGLES + j] = (float) qpos.get(qposAddress[j]);
            o[OBS_JOINT_VELOCITIES + j] = (float) qvel.get(dofAddress[j]);
        }
        for (int l = 0; l < 4; l++) {
            o[OBS_FOOT_CONTACTS + l] = footContact(l) ? 1f : 0f;
        }
        System.arraycopy(previousAction, 0, o, OBS_PREVIOUS_ACTION, ACTION_SIZE);
    }

    // ---- terrain ---------------------------------------------------------------------------------------------

    private void drawTerrain() {
        Terrain t = config.terrain();
        double total = t.flatWeight() + t.bumpyWeight() + t.slopeWeight();
        double u = rng.nextDouble() * total;
        java.util.Arrays.fill(terrainHeights, 0f);
        if (u < t.flatWeight()) {
            terrainKind = "flat";
        } else if (u < t.flatWeight() + t.bumpyWeight()) {
            terrainKind = "bumpy";
            bumps(t.bumpHeightMin_m(), t.bumpHeight_m(), t.bumpSpacing_m(), t.bumpStyle());
        } else {
            terrainKind = "slope";
            slope(rng.uniform((float) -t.maxSlope_rad(), (float) t.maxSlope_rad()));
        }
        float top = 0;
        for (float h : terrainHeights) {
            top = Math.max(top, h);
        }
        // MuJoCo scales the [0, 1] elevation data by hfield_size[2]; flat ground is the plane at z = 0 and the
        // height field is lowered out of the way (its contacts are the most expensive part of a physics step).
        boolean flat = top <= 0f;
        double scale = flat ? 0.1 : top;
        hfieldSize.put(4 * hfield + 2, scale);
        for (int i = 0; i < terrainHeights.length; i++) {
            heights.put(hfAddress + i, (float) (terrainHeights[i] / scale));
        }
        geomPos.put(3 * terrainGeom + 2, flat ? -1.0 : 0.0);
        geomPos.put(3 * floorGeom + 2, flat ? 0.0 : -0.05);
        friction = rng.uniform((float) config.frictionMin(), (float) config.frictionMax());
        geomFriction.put(3 * terrainGeom, friction);
        geomFriction.put(3 * floorGeom, friction);
    }

    /**
     * Heights at every {@code spacing} metres, uniform in [low, high], bilinearly interpolated onto the grid; then
     * either the start square flattened or a box blur ({@link BumpStyle}).
     */
    private void bumps(double low, double high, double spacing, BumpStyle style) {
        double cell = fieldLengthX_m / (hfCols - 1);
        int step = Math.max(1, (int) Math.round(spacing / cell));
        int cr = (hfRows - 1) / step + 2, cc = (hfCols - 1) / step + 2;
        for (int i = 0; i < cr * cc; i++) {
            coarse[i] = (float) (low + rng.nextDouble() * (high - low));
        }
        for (int r = 0; r < hfRows; r++) {
            int r0 = r / step;
            double fr = (r % step) / (double) step;
            for (int c = 0; c < hfCols; c++) {
                int c0 = c / step;
                double fc = (c % step) / (double) step;
                double h = (1 - fr) * ((1 - fc) * coarse[r0 * cc + c0] + fc * coarse[r0 * cc + c0 + 1])
                        + fr * ((1 - fc) * coarse[(r0 + 1) * cc + c0] + fc * coarse[(r0 + 1) * cc + c0 + 1]);
                terrainHeights[r * hfCols + c] = (float) h;
            }
        }
        if (style == BumpStyle.BLURRED) {
            boxBlur3();
            return;
        }
        // Flatten the start area (a 1 m square around the start) so the robot is put down level.
        for (int r = 0; r < hfRows; r++) {
            for (int c = 0; c < hfCols; c++) {
                double x = fieldMinX_m + fieldLengthX_m * c / (hfCols - 1);
                double y = fieldMinY_m + fieldWidthY_m * r / (hfRows - 1);
                if (Math.abs(x - startX_m) < 0.5 && Math.abs(y - startY_m) < 0.5) {
                    terrainHeights[r * hfCols + c] = 0f;
                }
            }
        }
    }

    /**
     * {@code h <- mean of the 3 x 3 cells around each cell}, separably (along x into {@code coarse}, then along y back),
     * indices clamped at the edges. {@code coarse} is free scratch here and holds at least {@code hfRows * hfCols}.
     */
    private void boxBlur3() {
        for (int r = 0; r < hfRows; r++) {
            int row = r * hfCols;
            for (int c = 0; c < hfCols; c++) {
                float left = terrainHeights[row + Math.max(0, c - 1)], right = terrainHeights[row + Math.min(hfCols - 1, c + 1)];
                coarse[row + c] = (left + terrainHeights[row + c] + right) / 3f;
            }
        }
        for (int r = 0; r < hfRows; r++) {
            int up = Math.max(0, r - 1) * hfCols, down = Math.min(hfRows - 1, r + 1) * hfCols, row = r * hfCols;
            for (int c = 0; c < hfCols; c++) {
                terrainHeights[row + c] = (coarse[up + c] + coarse[row + c] + coarse[down + c]) / 3f;
            }
        }
    }

    /** A plane rising (or falling) along x with angle {@code theta}, shifted so its lowest point is at 0. */
    private void slope(double theta) {
        double t = Math.tan(theta);
        double length = fieldLengthX_m, low = Math.min(0, t * length);
        for (int r = 0; r < hfRows; r++) {
            for (int c = 0; c < hfCols; c++) {
                terrainHeights[r * hfCols + c] = (float) (t * length * c / (hfCols - 1) - low);
            }
        }
    }

    /** The current episode's elevation grid, metres, rows along y and columns along x, into {@code out} (tests). */
    void copyTerrain(float[] out) {
        System.arraycopy(terrainHeights, 0, out, 0, terrainHeights.length);
    }

    int terrainRows() {
        return hfRows;
    }

    int terrainColumns() {
        return hfCols;
    }

    /** The grid's cell size along x, m. */
    double terrainCellX_m() {
        return fieldLengthX_m / (hfCols - 1);
    }

    /** The grid's cell size along y, m. */
    double terrainCellY_m() {
        return fieldWidthY_m / (hfRows - 1);
    }

    /** The terrain's height under (x, y), bilinear on the grid; 0 off the field. */
    double terrainHeightAt(double x, double y) {
        double fc = (x - fieldMinX_m) / fieldLengthX_m * (hfCols - 1);
        double fr = (y - fieldMinY_m) / fieldWidthY_m * (hfRows - 1);
        if (fc < 0 || fr < 0 || fc > hfCols - 1 || fr > hfRows - 1) {
            return 0;
        }
        int c0 = Math.min((int) fc, hfCols - 2), r0 = Math.min((int) fr, hfRows - 2);
        double a = fc - c0, b = fr - r0;
        return (1 - b) * ((1 - a) * terrainHeights[r0 * hfCols + c0] + a * terrainHeights[r0 * hfCols + c0 + 1])
                + b * ((1 - a) * terrainHeights[(r0 + 1) * hfCols + c0] + a * terrainHeights[(r0 + 1) * hfCols + c0 + 1]);
    }

    // ---- read-outs for evaluation and tests -------------------------------------------------------------------

    /** The trunk's forward speed along its heading, m/s (the reward's v_x). */
    public double forwardSpeed() {
        return forwardSpeed(sensors.get(velocityAddress), sensors.get(velocityAddress + 1), sensors.get(velocityAddress + 2));
    }

    /** The estimated forward speed along the heading, m/s (NaN for {@link Velocity#TRUE}, which runs no estimator). */
    public double estimatedForwardSpeed() {
        return estimator == null ? Double.NaN
                : forwardSpeed(estimator.velocity_mps(0), estimator.velocity_mps(1), estimator.velocity_mps(2));
    }

    /** Where the observation's and the reward's velocity come from. */
    public Velocity velocity() {
        return velocity;
    }

    /** The trunk-frame linear velocity the observation and the reward use, m/s (axis 0 x, 1 y, 2 z). */
    private double linearVelocity(int axis) {
        return estimator == null ? sensors.get(velocityAddress + axis) : estimator.velocity_mps(axis);
    }

    /**
     * One estimator update from what the robot would measure: the IMU sensors and foot forces as MuJoCo's last step
     * computed them (at the start of that step), the joint encoders now.
     */
    private void estimate() {
        for (int i = 0; i < 4; i++) {
            estQuat[i] = (float) sensors.get(quatAddress + i);
            estForce[i] = (float) sensors.get(touchAddress[i]);
        }
        for (int i = 0; i < 3; i++) {
            estGyro[i] = (float) sensors.get(gyroAddress + i);
            estAccel[i] = (float) sensors.get(accelAddress + i);
        }
        for (int j = 0; j < JOINTS; j++) {
            estQ[j] = (float) qpos.get(qposAddress[j]);
            estDq[j] = (float) qvel.get(dofAddress[j]);
        }
        estimator.update(estQuat, estGyro, estAccel, estQ, estDq, estForce, ESTIMATOR_PERIOD_STEPS * sim.timestep());
    }

    /** A trunk-frame velocity's component along the heading (the world-horizontal projection of the trunk's x). */
    private double forwardSpeed(double vx, double vy, double vz) {
        double[] r = rotation();
        double vwx = r[0] * vx + r[1] * vy + r[2] * vz, vwy = r[3] * vx + r[4] * vy + r[5] * vz;
        double hn = Math.hypot(r[0], r[3]);
        return hn > 1e-9 ? (vwx * r[0] + vwy * r[3]) / hn : 0;
    }

    /** The world-frame yaw rate of the trunk, rad/s: the gyro's body rates projected on the world's z axis. */
    public double yawRate() {
        double[] r = rotation();
        return r[6] * sensors.get(gyroAddress) + r[7] * sensors.get(gyroAddress + 1) + r[8] * sensors.get(gyroAddress + 2);
    }

    private boolean footContact(int leg) {
        return sensors.get(touchAddress[leg]) > config.contactThreshold_N();
    }

    /** The trunk's yaw, rad. */
    public double yaw() {
        double w = quat(0), x = quat(1), y = quat(2), z = quat(3);
        return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
    }

    /** The trunk's position {x, y, z}, m, into {@code out}. */
    public void trunkPosition(double[] out) {
        out[0] = qpos.get(trunkQpos);
        out[1] = qpos.get(trunkQpos + 1);
        out[2] = qpos.get(trunkQpos + 2);
    }

    private static final java.util.List<String> TELEMETRY = java.util.List.of("forward_speed_mps", "yaw_rad", "yaw_rate_radps",
            "x_m", "y_m", "z_m", "contact_FR", "contact_FL", "contact_RR", "contact_RL", "estimated_forward_speed_mps");

    /**
     * forward_speed_mps (true), yaw_rad, yaw_rate_radps, x_m, y_m, z_m, the four foot contacts (0 or 1), and
     * estimated_forward_speed_mps (the estimator's, NaN for {@link Velocity#TRUE}).
     */
    @Override
    public java.util.List<String> telemetryNames() {
        return TELEMETRY;
    }

    @Override
    public void telemetry(double[] out) {
        checkOpen("telemetry");
        out[0] = forwardSpeed();
        out[1] = yaw();
        out[2] = yawRate();
        out[3] = qpos.get(trunkQpos);
        out[4] = qpos.get(trunkQpos + 1);
        out[5] = qpos.get(trunkQpos + 2);
        for (int l = 0; l < 4; l++) {
            out[6 + l] = footContact(l) ? 1 : 0;
        }
        out[10] = estimatedForwardSpeed();
    }

    /** The kind of terrain of the current episode: flat, bumpy or slope. */
    public String terrainKind() {
        return terrainKind;
    }

    /** The ground friction of the current episode. */
    public double friction() {
        return friction;
    }

    /**
     * Only right after a reset, before the first step: the mid-episode state of MuJoCo (positions, velocities,
     * warm start, contacts) is not captured, so a snapshot waits for the next episode boundary (at most
     * {@code maxEpisodeSteps} steps).
     */
    @Override
    public boolean canCapture() {
        return running && steps == 0 && !closed;
    }

    /**
     * Entries {@code env.rng_at_reset} (the generator as the last reset found it) and {@code env.unstable}: a
     * restore sets the generator back and resets, which draws the same terrain and friction and, MuJoCo's data
     * being reset whole to the keyframe, the same start. The action filter needs no entry: a snapshot is taken only
     * right after a reset, where the filter's whole history is the measured joint angles, and the restore's reset
     * seeds it with the same angles.
     */
    @Override
    public void saveState(trot.util.StateWriter out) {
        if (!canCapture()) {
            throw new IllegalStateException("A1Walk.saveState: the state can only be captured right after a reset,"
                    + " this episode is at step " + steps);
        }
        out.longs("env.rng_at_reset", rngAtReset.clone());
        out.longs("env.unstable", new long[]{unstable});
    }

    @Override
    public void restoreState(trot.util.StateReader in, float[] observation) {
        long[] r = new long[Rng.STATE_LONGS], u = new long[1];
        in.longs("env.rng_at_reset", r);
        in.longs("env.unstable", u);
        Rng restored = new Rng(0);
        restored.restoreState(r, 0);
        rng = restored;
        unstable = u[0];
        reset(observation);
    }

    private final long[] rngAtReset = new long[Rng.STATE_LONGS];

    /** The joint targets of the last step (after the action filter, if any), rad, into {@code out} (tests). */
    void lastTargets(double[] out) {
        System.arraycopy(targets, 0, out, 0, JOINTS);
    }

    /** Physics steps MuJoCo reported as unstable since construction. */
    public long unstableSteps() {
        return unstable;
    }

    public Config config() {
        return config;
    }

    /** The robot this task runs. */
    public RobotDescription robot() {
        return robot;
    }

    /** The simulation (tests and diagnostics). */
    Mujoco simulation() {
        return sim;
    }

    /**
     * Frees the simulation. The direct buffers this task reads and writes point into MuJoCo's memory, so every
     * later call that would touch them throws instead.
     */
    @Override
    public void close() {
        closed = true;
        running = false;
        sim.close();
    }

    private void checkOpen(String method) {
        if (closed) {
            throw new IllegalStateException("A1Walk." + method + ": the environment is closed; create a new one");
        }
    }

    private boolean closed;
}
