package trot.env.robot;

import trot.env.ButterworthLowPass;
import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.Pacer;
import trot.env.RealTime;
import trot.env.StepResult;
import trot.env.Telemetry;
import trot.env.estimation.A1Kinematics;
import trot.env.estimation.VelocityEstimator;
import trot.env.sim.A1Walk;
import trot.link.Command;
import trot.link.Fault;
import trot.link.HelloAck;
import trot.link.HostClock;
import trot.link.JSerialPort;
import trot.link.LinkException;
import trot.link.LinkStats;
import trot.link.Port;
import trot.link.PortException;
import trot.link.Protocol;
import trot.link.SerialLink;
import trot.link.State;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The real Unitree A1 (or its emulator) as the paper's walking task, over the serial link ({@link SerialLink}).
 *
 * <h2>Task</h2>
 * The same observation layout as {@link A1Walk} (its {@code OBS_*} offsets, 48 numbers), built from the device's
 * State: roll and pitch of the IMU quaternion, the gyro, the estimated linear velocity (trunk frame), joint angles and
 * velocities, foot contacts (force above {@link RobotConfig#contactThreshold_N}), the previous action. An action in
 * [-1, 1] maps to joint targets {@code STAND_RAD + a * ACTION_RANGE_RAD} around the hardware standing pose
 * [0.05, 0.9, -1.8] rad, optionally through the paper robot's Butterworth filter, sent at once as one Command with Kp
 * 60, Kd 4, which the firmware interpolates over the control period. The reward is {@link A1Walk}'s default (paper)
 * reward on the estimated forward speed and the gyro's yaw rate. {@link EnvSpec}: {@value #NAME}, the same sizes as
 * A1Walk, so a policy trained in simulation can be evaluated here.
 *
 * <h2>Threads</h2>
 * The link's reader thread runs the velocity estimator on every State (dt from the firmware's clock) and the
 * interlocks that must see every State (joint margins, torque saturation, temperatures, device faults); it shares
 * them with the control thread under one small lock, held for microseconds. {@link #step} and {@link #reset} run on
 * the control thread; {@link #estop} and {@link #damp} may be called from any thread. Nothing allocates per step or
 * per State except on the way to a stop.
 *
 * <h2>Episode end and run end</h2>
 * A fall (|roll| or |pitch| above the termination angle), a joint within {@link RobotConfig#jointMargin_rad} of its
 * range, torque saturation for {@link RobotConfig#torqueSaturation_s}, or a device fault that damps (watchdog, joint
 * limit) ends the episode ({@code terminated}); the robot is told to damp and {@link #reset} gets it up again with
 * the scripted get-up. A lost or stale link, a motor at {@link RobotConfig#tempStop_C}, an e-stop, a host failure or
 * a get-up that failed {@link RobotConfig#getUpTries} times ends the run: the device is e-stopped (damping, latched)
 * and every later call throws the same {@link RobotStopException}. {@link #close} always e-stops.
 */
public final class A1Robot implements Environment, Telemetry, trot.env.EpisodeReport, RealTime {
    public static final String NAME = "A1Robot";
    /** The hardware standing pose per leg (hip, thigh, calf), rad. */
    public static final double[] STAND_RAD = {0.05, 0.9, -1.8};
    /**
     * The action half-ranges per leg (hip, thigh, calf), rad: the simulated task's (hardware/a1/a1.robot's
     * action_range_rad), so a policy trained in simulation moves the robot as far. This host side is the A1's.
     */
    public static final double[] ACTION_RANGE_RAD = {0.2, 0.4, 0.4};
    /** The folded pose the get-up stands up from, rad (inside the calf's range). */
    public static final double[] LYING_RAD = {0.0, 1.2, -2.6};
    /** The joint ranges the firmware enforces (fw_config_a1), rad. */
    public static final double[] Q_MIN_RAD = {-0.802851, -1.0472, -2.69653}, Q_MAX_RAD = {0.802851, 4.18879, -0.916298};
    public static final int JOINTS = A1Walk.JOINTS, FEET = 4;

    /** Breach codes (episode ends). */
    static final int BREACH_NONE = 0, BREACH_TILT = 1, BREACH_JOINT = 2, BREACH_TORQUE = 3, BREACH_DEVICE = 4;
    private static final String[] BREACH_NAMES = {"none", "tilt", "joint near its limit", "torque saturation",
            "device fault"};
    /** The episode end of each breach code, for {@link #lastEpisodeEnd}. */
    private static final trot.env.EpisodeEnd[] BREACH_ENDS = {trot.env.EpisodeEnd.TIME_LIMIT, trot.env.EpisodeEnd.TILT,
            trot.env.EpisodeEnd.interlock("joint-limit"), trot.env.EpisodeEnd.interlock("torque-saturation"),
            trot.env.EpisodeEnd.interlock("device-fault")};
    private static final Logger LOG = Logger.getLogger("trot.env.robot");
    private static final long CLEAR_FAULTS = Protocol.FAULT_RESET | Protocol.FAULT_WATCHDOG | Protocol.FAULT_JOINT_LIMIT;
    private static final List<String> TELEMETRY = List.of("forward_speed_mps", "yaw_rad", "yaw_rate_radps",
            "contact_FR", "contact_FL", "contact_RR", "contact_RL", "estimator_contacts", "max_temp_C",
            "packets_lost", "rx_errors", "link_losses", "rtt_p50_ms", "rtt_p99_ms",
            "resets", "get_ups", "get_up_tries", "get_up_failures", "last_reset_s",
            "interlock_tilt", "interlock_joint", "interlock_torque", "interlock_device", "temp_warnings");

    private final RobotConfig config;
    private final Pacer pacer;
    private final EnvSpec spec;
    private final SerialLink link;
    private final long interp_us;
    private final ButterworthLowPass filter;

    // Control thread's.
    private final Command command = new Command();
    /**
     * Between a time-limit end and the next reset, the reader thread re-sends this (the episode's last targets) every
     * control period, for at most {@link #HOLD_LIMIT_NS}: the learner's bookkeeping at an episode boundary (waiting for
     * an update to finish, rows, a snapshot, plots) takes longer than the device's 100 ms watchdog, which would
     * otherwise damp a standing robot into a crouch and cost a whole get-up. A host that hangs longer still gets the
     * watchdog's damping.
     */
    private final Command holdCommand = new Command();
    private volatile boolean holding;
    private volatile long holdSince_ns;
    private long lastHoldSent_ns;
    private long holds;
    /** Trunk height over the feet (leg kinematics) below which the robot is not on its feet but lying on them. */
    static final double ON_FEET_HEIGHT_M = 0.18;
    private final A1Kinematics kinematics = new A1Kinematics();
    private final double[] foot = new double[3];
    /** The longest hold between episodes before the watchdog is let to damp the robot. */
    static final long HOLD_LIMIT_NS = 3_000_000_000L;
    private final State state = new State();
    private final float[] targets = new float[JOINTS], filtered = new float[JOINTS], measured = new float[JOINTS];
    private final float[] previousAction = new float[A1Walk.ACTION_SIZE];
    private final double[] start = new double[JOINTS], goal = new double[JOINTS];
    private final double[] rotation = new double[9];
    private final LinkStats linkStats = new LinkStats();
    private boolean running, resetOnce;
    private int steps;
    private long resets, getUps, getUpTries, getUpFailures;
    private double lastReset_s;
    private final long[] interlocks = new long[BREACH_NAMES.length];

    // Shared with the reader thread, under lock.
    private final Object lock = new Object();
    private final VelocityEstimator estimator;
    private final double[] velocity_mps = new double[3];
    private int estimatorContacts;
    private long lastFwTime_us = -1;
    private boolean monitoring;
    private int breach, breachJoint;
    private double breachValue;
    private long saturatedSince_us = -1;
    private double maxTemp_C;
    private boolean warm;
    private long tempWarnings;

    // Any thread's.
    private final AtomicReference<RobotStopException> stop = new AtomicReference<>();
    private volatile boolean armedOnce, selfEstop, closed;

    /**
     * Opens the robot's serial port (8N1 at {@code baud}; a pty ignores it) and shakes hands; the robot stays damped
     * until the first {@link #reset}.
     *
     * @throws PortException        when the port cannot be opened (the message says why and what to do)
     * @throws RobotStopException   when the device does not answer the handshake or refuses it
     * @throws IllegalArgumentException when the pacer's period is not the configuration's control period
     */
    public static A1Robot open(String path, int baud, RobotConfig config, Pacer pacer) throws PortException {
        return new A1Robot(JSerialPort.opener(path, baud), config, pacer);
    }

    /** The same over any port opener (the robot's one narrow hardware interface is the link's {@link Port}). */
    public A1Robot(Port.Opener opener, RobotConfig config, Pacer pacer) throws PortException {
        if (config == null || pacer == null || opener == null) {
            throw new IllegalArgumentException("A1Robot: opener, config and pacer must be given (RobotConfig.defaults(),"
                    + " a Pacer of the control period)");
        }
        if (Math.abs(pacer.period_s() - config.controlPeriod_s()) > 1e-9) {
            throw new IllegalArgumentException("A1Robot: the pacer's period " + pacer.period_s() + " s is not the"
                    + " configuration's control period " + config.controlPeriod_s() + " s; give both the same");
        }
        this.config = config;
        this.pacer = pacer;
        float[] low = new float[A1Walk.ACTION_SIZE], high = new float[A1Walk.ACTION_SIZE];
        java.util.Arrays.fill(low, -1f);
        java.util.Arrays.fill(high, 1f);
        this.spec = new EnvSpec(NAME, A1Walk.OBSERVATION_SIZE, A1Walk.ACTION_SIZE, low, high, config.maxEpisodeSteps(),
                config.controlPeriod_s());
        this.interp_us = Math.round(config.controlPeriod_s() * 1e6);
        this.filter = config.actionFilter()
                ? new ButterworthLowPass(JOINTS, config.actionFilterCutoff_Hz(), 1.0 / config.controlPeriod_s()) : null;
        this.estimator = new VelocityEstimator(VelocityEstimator.Config.reference()
                .withContactThreshold(Math.max(config.contactThreshold_N(), 1e-3)));
        SerialLink.Config linkConfig = SerialLink.Config.defaults().withStatePeriod(config.statePeriod_us())
                .withStaleAfter(Math.round(config.staleLimit_s() * 1e6));
        this.link = SerialLink.open(opener, linkConfig, new Reader());
        try {
            link.awaitSession(3000);
        } catch (LinkException e) {
            link.close();
            throw new RobotStopException(e.kind() == LinkException.Kind.TIMEOUT ? RobotStopException.Reason.LINK_LOST
                    : RobotStopException.Reason.DEVICE_FAULT, "A1Robot: " + e.getMessage());
        } catch (InterruptedException e) {
            link.close();
            Thread.currentThread().interrupt();
            throw new RobotStopException(RobotStopException.Reason.CLOSED, "A1Robot: interrupted while shaking hands");
        }
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public Pacer pacer() {
        return pacer;
    }

    public RobotConfig config() {
        return config;
    }

    /** The robot has no random choices of its own; this only ends the episode in progress. */
    @Override
    public void seed(long seed) {
        running = false;
    }

    // ------------------------------------------------------------------------------------------------ stepping

    @Override
    public void step(float[] action, StepResult out) {
        checkStop();
        if (!running) {
            throw new IllegalStateException(NAME + ".step: no episode is running; call reset() first");
        }
        spec.checkAction(action);
        spec.checkObservationBuffer("step", out.observation);
        for (int j = 0; j < JOINTS; j++) {
            float a = Math.max(-1f, Math.min(1f, action[j]));
            targets[j] = (float) (STAND_RAD[j % 3] + a * ACTION_RANGE_RAD[j % 3]);
        }
        float[] t = targets;
        if (filter != null) {
            filter.filter(targets, filtered);
            t = filtered;
        }
        sendRun(t, config.kp(), config.kd(), config.kd());
        pacer.commandSent();
        pacer.awaitNextPeriod();
        checkStop();
        readFresh();
        System.arraycopy(action, 0, previousAction, 0, previousAction.length);
        steps++;
        observe(out.observation);
        double vx = forwardSpeed_mps(), yawRate = yawRate_radps();
        out.reward = (float) (A1Walk.paperVelocityReward(vx, config.targetSpeed_mps()) - 0.1 * yawRate * yawRate);
        int b;
        synchronized (lock) {
            b = breach;
            if (b == BREACH_NONE && (Math.abs(out.observation[A1Walk.OBS_ROLL]) > config.terminationAngle_rad()
                    || Math.abs(out.observation[A1Walk.OBS_PITCH]) > config.terminationAngle_rad())) {
                b = breach = BREACH_TILT;
                breachValue = Math.max(Math.abs(out.observation[A1Walk.OBS_ROLL]),
                        Math.abs(out.observation[A1Walk.OBS_PITCH]));
            }
            if (b != BREACH_NONE) {
                monitoring = false;
            }
        }
        out.terminated = b != BREACH_NONE;
        out.truncated = !out.terminated && steps >= spec.maxEpisodeSteps();
        running = !(out.terminated || out.truncated);
        if (!running) {
            lastEnd = BREACH_ENDS[b];
        }
        if (out.truncated) {
            // Hold the last targets until the reset (the reader thread re-sends them), instead of a watchdog trip.
            // The first re-send at once: the last step's command is already a period old, half the watchdog's 100 ms.
            holdCommand.copyFrom(command);
            link.sendCommand(holdCommand);
            holdSince_ns = System.nanoTime();
            lastHoldSent_ns = holdSince_ns;
            holds++;
            holding = true;
        }
        if (out.terminated) {
            interlocks[b]++;
            sendMode(Protocol.MODE_DAMP);
            if (b != BREACH_TILT) {
                LOG.info(breachMessage(b));
            }
        }
    }

    private String breachMessage(int b) {
        synchronized (lock) {
            String what = switch (b) {
                case BREACH_TILT -> String.format(Locale.ROOT, "tilt %.1f degrees", Math.toDegrees(breachValue));
                case BREACH_JOINT -> String.format(Locale.ROOT, "joint %d at %.3f rad", breachJoint, breachValue);
                case BREACH_TORQUE -> String.format(Locale.ROOT, "joint %d saturated at %.1f N m for %.2f s", breachJoint,
                        breachValue, config.torqueSaturation_s());
                case BREACH_DEVICE -> "device faults " + Protocol.faultNames((long) breachValue);
                default -> "?";
            };
            return NAME + ": episode ended at step " + steps + " by " + BREACH_NAMES[b] + " (" + what + "); damping";
        }
    }

    private volatile trot.env.EpisodeEnd lastEnd;

    /**
     * {@code time-limit}, {@code tilt} (the termination angle), or the interlock that ended the episode:
     * {@code interlock:joint-limit} (a joint within the margin of its range), {@code interlock:torque-saturation},
     * {@code interlock:device-fault} (a fault that damps: watchdog, joint limit on the device). What ends the whole run
     * (a lost link, over-temperature, an e-stop) is a {@link RobotStopException} instead.
     */
    @Override
    public trot.env.EpisodeEnd lastEpisodeEnd() {
        return lastEnd;
    }

    /** Why the last episode ended early ({@code tilt}, {@code joint near its limit}, ...), or {@code none}. */
    public String lastBreach() {
        synchronized (lock) {
            return BREACH_NAMES[breach];
        }
    }

    // ------------------------------------------------------------------------------------------------ reset

    /**
     * Gets the robot onto its feet with no one in the loop and starts an episode: arms the device (clearing the
     * faults a reset may clear; on the first reset of this object also an e-stop of an earlier run, which is the
     * operator's resume), runs the get-up routine unless the robot already stands, blends to the standing pose and
     * the task's gains over {@link RobotConfig#blendSteps} control periods, and observes.
     *
     * @throws RobotStopException when the get-up failed every try (the robot is damped) or the run ended otherwise
     */
    @Override
    public void reset(float[] observation) {
        checkStop();
        spec.checkObservationBuffer("reset", observation);
        long began = System.nanoTime();
        running = false;
        synchronized (lock) {
            monitoring = false;
        }
        holding = false;
        resets++;
        arm(resetOnce ? CLEAR_FAULTS : CLEAR_FAULTS | Protocol.FAULT_ESTOP);
        resetOnce = true;
        if (!standing(config.getUpAngle_rad()) && !onItsFeet(config.getUpAngle_rad())) {
            getUps++;
            boolean up = false;
            for (int attempt = 1; attempt <= config.getUpTries() && !up; attempt++) {
                getUpTries++;
                up = getUp();
                if (!up) {
                    LOG.info(String.format(Locale.ROOT, "%s: get-up try %d of %d failed (roll %.0f, pitch %.0f degrees,"
                            + " largest joint error %.2f rad, %s)", NAME, attempt, config.getUpTries(),
                            Math.toDegrees(roll()), Math.toDegrees(pitch()), jointError(), (state.status
                            & Protocol.STATUS_ARMED) != 0 ? "armed" : "disarmed, faults " + Protocol.faultNames(state.faults)));
                }
            }
            if (!up) {
                getUpFailures++;
                throw stopNow(RobotStopException.Reason.GET_UP_FAILED, NAME + ": could not get up after "
                        + config.getUpTries() + " tries: put the robot on its feet and resume (the robot is damped)");
            }
        }
        blend();
        readFresh();
        for (int j = 0; j < JOINTS; j++) {
            measured[j] = state.q_rad[j];
        }
        if (filter != null) {
            filter.reset(measured);
        }
        java.util.Arrays.fill(previousAction, 0f);
        steps = 0;
        synchronized (lock) {
            estimator.reset();
            lastFwTime_us = -1;
            velocity_mps[0] = velocity_mps[1] = velocity_mps[2] = 0;
            breach = BREACH_NONE;
            saturatedSince_us = -1;
            monitoring = true;
        }
        running = true;
        observe(observation);
        lastReset_s = (System.nanoTime() - began) / 1e9;
    }

    /** Seconds the last {@link #reset} took. */
    public double lastReset_s() {
        return lastReset_s;
    }

    /** Resets so far, get-ups among them (resets that found the robot not standing), tries and failed get-ups. */
    public long resets() {
        return resets;
    }

    public long getUps() {
        return getUps;
    }

    public long getUpTries() {
        return getUpTries;
    }

    /** Arms the device, feeding its watchdog with damp commands meanwhile. */
    private void arm(long clear) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        long lastArm = 0;
        while (true) {
            checkStop();
            link.readState(state);
            if ((state.status & Protocol.STATUS_ARMED) != 0 && (state.faults & clear) == 0) {
                armedOnce = true;
                selfEstop = false;
                return;
            }
            if ((state.faults & Protocol.FAULT_OVER_TEMPERATURE) != 0) {
                throw stopNow(RobotStopException.Reason.OVER_TEMPERATURE, NAME + ": the device latched OVER_TEMPERATURE"
                        + " and cannot be armed: let the motors cool below 55 C, then resume");
            }
            if (System.nanoTime() > deadline) {
                throw stopNow(RobotStopException.Reason.DEVICE_FAULT, NAME + ": the device did not arm within 2 s; latched"
                        + " faults " + Protocol.faultNames(state.faults) + ": clear what they name (release the e-stop"
                        + " button, move the joints into range), then resume");
            }
            if (System.nanoTime() - lastArm > 200_000_000L) {
                link.arm(clear);
                lastArm = System.nanoTime();
            }
            sendMode(Protocol.MODE_DAMP);
            pacer.commandSent();
            pacer.awaitNextPeriod();
        }
    }

    /** Whether the robot stands: armed, upright within {@code angle}, every joint near the standing pose. */
    private boolean standing(double angle_rad) {
        link.readState(state);
        if ((state.status & Protocol.STATUS_ARMED) == 0 || Math.abs(roll()) >= angle_rad || Math.abs(pitch()) >= angle_rad) {
            return false;
        }
        for (int j = 0; j < JOINTS; j++) {
            if (Math.abs(state.q_rad[j] - STAND_RAD[j % 3]) > config.getUpTolerance_rad()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the robot is upright on all four feet, armed, its trunk at least {@link #ON_FEET_HEIGHT_M} above the mean
     * foot (as a time-limit end leaves it, held; standing is 0.27 m, lying folded 0.13 m): then the blend alone brings
     * it from its last pose to the standing pose, with no get-up.
     */
    private boolean onItsFeet(double angle_rad) {
        link.readState(state);
        if ((state.status & Protocol.STATUS_ARMED) == 0 || Math.abs(roll()) >= angle_rad || Math.abs(pitch()) >= angle_rad) {
            return false;
        }
        double height = 0;
        for (int f = 0; f < FEET; f++) {
            if (state.footForce_N[f] <= config.contactThreshold_N()) {
                return false;
            }
            kinematics.footPosition(f, state.q_rad[3 * f], state.q_rad[3 * f + 1], state.q_rad[3 * f + 2], foot);
            height -= foot[2] / FEET;
        }
        // Folded legs under a lying trunk also touch the floor: only legs that carry the trunk high count.
        return height >= ON_FEET_HEIGHT_M;
    }

    /** Time-limit ends held until the reset ({@link #holdCommand}). */
    public long holds() {
        return holds;
    }

    private double jointError() {
        double e = 0;
        for (int j = 0; j < JOINTS; j++) {
            e = Math.max(e, Math.abs(state.q_rad[j] - STAND_RAD[j % 3]));
        }
        return e;
    }

    /** One try: settle in damping, roll over when on a side or the back, fold, stand up, hold, check. */
    private boolean getUp() {
        settle(0.6);
        trace("settled");
        if (upZ() < -0.5) {
            offTheBack();
            settle(0.6);
            trace("off the back, settled");
        }
        if (upZ() < Math.cos(Math.toRadians(60))) {
            rollOver();
            settle(0.6);
            trace("rolled over, settled");
        }
        if (upZ() < Math.cos(Math.toRadians(45))) {
            return false;
        }
        setPose(goal, LYING_RAD);
        move(goal, 1.0);
        setPose(goal, STAND_RAD);
        move(goal, 1.5);
        hold(goal, 0.5);
        return standing(config.getUpAngle_rad());
    }

    /**
     * On a side: the upper legs reach over the back as props ({@link #setProp}) while the lower legs swing back,
     * calves folded, to behind the hips (thigh 1.9), then on over the back (thigh 3.0, calf -1.2) with the hips turned
     * in; then the lower hips turn out, sweeping those feet down into the floor behind the back, which levers the
     * trunk over towards the belly; then all legs fold. Without the props the swing drags the lower legs along the
     * floor and rolls the trunk towards its back (measured: from 97 to 137 degrees of roll, onto the back).
     */
    private void rollOver() {
        boolean onRight = roll() > 0; // the left side up: lying on the right legs
        for (int leg = 0; leg < FEET; leg++) {
            boolean lower = (leg % 2 == 0) == onRight; // legs 0, 2 are right (FR, RR)
            if (lower) {
                goal[3 * leg] = 0;
                goal[3 * leg + 1] = 1.9;
                goal[3 * leg + 2] = LYING_RAD[2];
            } else {
                setProp(leg);
            }
        }
        move(goal, 0.8); // the props swing up to 2.7 rad: under 0.2 rad per control period
        trace("side: legs back");
        for (int leg = 0; leg < FEET; leg++) {
            if ((leg % 2 == 0) == onRight) {
                // With the leg along the trunk's +z (thigh near pi), a negative hip angle turns a right foot inwards.
                goal[3 * leg] = (leg % 2 == 0) ? -0.5 : 0.5;
                goal[3 * leg + 1] = 3.0;
                goal[3 * leg + 2] = -1.2;
            }
        }
        move(goal, 0.6);
        trace("side: legs over the back");
        for (int leg = 0; leg < FEET; leg++) {
            if ((leg % 2 == 0) == onRight) {
                goal[3 * leg] = (leg % 2 == 0) ? 0.75 : -0.75;
            }
        }
        move(goal, 0.6);
        trace("side: hips out");
        hold(goal, 0.3);
        setPose(goal, LYING_RAD);
        move(goal, 1.0);
    }

    /**
     * On the back: the legs of one side swing their thighs over towards the floor with the calves folded, so the
     * knees press into it and lift that side, then stretch the calves to lift it further; the trunk rolls over its
     * other edge onto that side. (Swinging all legs to one side does not do it: the A1's leg mass sits at the hip and
     * thigh motors, next to the trunk, so it hardly moves the centre of mass.)
     */
    private void offTheBack() {
        boolean pushRight = roll() >= 0;
        for (int leg = 0; leg < FEET; leg++) {
            boolean push = (leg % 2 == 0) == pushRight; // legs 0, 2 are right (FR, RR)
            goal[3 * leg] = 0;
            goal[3 * leg + 1] = push ? 2.9 : LYING_RAD[1];
            goal[3 * leg + 2] = push ? -2.6 : LYING_RAD[2];
        }
        move(goal, 1.0);
        trace("back: knees down");
        for (int leg = 0; leg < FEET; leg++) {
            if ((leg % 2 == 0) == pushRight) {
                goal[3 * leg + 1] = 3.64;
                goal[3 * leg + 2] = -1.0;
            }
        }
        move(goal, 0.8);
        trace("back: legs stretched down");
        for (int leg = 0; leg < FEET; leg++) {
            if ((leg % 2 == 0) == pushRight) {
                setProp(leg);
            }
        }
        move(goal, 0.5);
        trace("back: hips in");
        hold(goal, 0.3);
        trace("back: held");
    }

    /**
     * The upper legs' prop on a side, and the pushing legs' last pose on the back: the leg stretched along the trunk's
     * +z (over the back, thigh 3.64, calf -1.0, the foot 0.35 m out) and turned in by the hip (towards the trunk's
     * middle: negative for a right leg, whose foot then points down on a side), so that on a side the foot meets the
     * floor behind the back and stops the trunk from rolling onto its back while the lower legs swing over.
     */
    private void setProp(int leg) {
        goal[3 * leg] = leg % 2 == 0 ? -0.6 : 0.6;
        goal[3 * leg + 1] = 3.64;
        goal[3 * leg + 2] = -1.0;
    }

    /** The get-up's progress at FINE: what it did, and how the trunk lies after it. */
    private void trace(String what) {
        if (LOG.isLoggable(java.util.logging.Level.FINE)) {
            LOG.fine(String.format(Locale.ROOT, "%s: get-up: %s: roll %.0f, pitch %.0f degrees, up %.2f", NAME, what,
                    Math.toDegrees(roll()), Math.toDegrees(pitch()), upZ()));
        }
    }

    private static void setPose(double[] out, double[] perLeg) {
        for (int j = 0; j < JOINTS; j++) {
            out[j] = perLeg[j % 3];
        }
    }

    /** Damp for {@code seconds}, feeding the watchdog; re-arms when a fault disarmed the device. */
    private void settle(double seconds) {
        int n = periods(seconds);
        for (int k = 0; k < n; k++) {
            sendMode(Protocol.MODE_DAMP);
            pacer.commandSent();
            pacer.awaitNextPeriod();
            checkStop();
            readFresh();
        }
        if ((state.status & Protocol.STATUS_ARMED) == 0) {
            arm(CLEAR_FAULTS);
        }
    }

    /** Interpolates linearly from the measured angles to {@code goal} over {@code seconds}, with the reset gains. */
    private void move(double[] goalRad, double seconds) {
        readFresh();
        for (int j = 0; j < JOINTS; j++) {
            start[j] = state.q_rad[j];
        }
        int n = periods(seconds);
        for (int k = 1; k <= n; k++) {
            double f = (double) k / n;
            for (int j = 0; j < JOINTS; j++) {
                targets[j] = (float) clipToRange(j, start[j] + (goalRad[j] - start[j]) * f);
            }
            sendRun(targets, config.resetKp(), config.resetKdHip(), config.resetKdLeg());
            pacer.commandSent();
            pacer.awaitNextPeriod();
            checkStop();
            readFresh();
        }
    }

    private void hold(double[] goalRad, double seconds) {
        for (int j = 0; j < JOINTS; j++) {
            targets[j] = (float) clipToRange(j, goalRad[j]);
        }
        int n = periods(seconds);
        for (int k = 0; k < n; k++) {
            sendRun(targets, config.resetKp(), config.resetKdHip(), config.resetKdLeg());
            pacer.commandSent();
            pacer.awaitNextPeriod();
            checkStop();
            readFresh();
        }
    }

    /** Targets from the measured angles to the standing pose, gains from the reset's to the task's. */
    private void blend() {
        readFresh();
        for (int j = 0; j < JOINTS; j++) {
            start[j] = state.q_rad[j];
        }
        int n = config.blendSteps();
        for (int k = 1; k <= n; k++) {
            double f = (double) k / n;
            for (int j = 0; j < JOINTS; j++) {
                targets[j] = (float) clipToRange(j, start[j] + (STAND_RAD[j % 3] - start[j]) * f);
            }
            sendRun(targets, config.resetKp() + (config.kp() - config.resetKp()) * f,
                    config.resetKdHip() + (config.kd() - config.resetKdHip()) * f,
                    config.resetKdLeg() + (config.kd() - config.resetKdLeg()) * f);
            pacer.commandSent();
            pacer.awaitNextPeriod();
            checkStop();
            readFresh();
        }
    }

    private int periods(double seconds) {
        return Math.max(1, (int) Math.round(seconds / config.controlPeriod_s()));
    }

    private static double clipToRange(int j, double q) {
        return Math.max(Q_MIN_RAD[j % 3], Math.min(Q_MAX_RAD[j % 3], q));
    }

    // ------------------------------------------------------------------------------------------------ commands

    private void sendRun(float[] q, double kp, double kdHip, double kdLeg) {
        command.mode = Protocol.MODE_RUN;
        command.flags = 0;
        command.interp_us = interp_us;
        for (int j = 0; j < JOINTS; j++) {
            command.qTarget_rad[j] = (float) clipToRange(j, q[j]);
            command.kp[j] = (float) kp;
            command.kd[j] = (float) (j % 3 == 0 ? kdHip : kdLeg);
            command.tauFf_Nm[j] = 0f;
        }
        link.sendCommand(command);
    }

    private void sendMode(int mode) {
        command.mode = mode;
        command.flags = 0;
        command.interp_us = 0;
        for (int j = 0; j < JOINTS; j++) {
            command.qTarget_rad[j] = (float) clipToRange(j, state.q_rad[j]);
            command.kp[j] = 0f;
            command.kd[j] = 0f;
            command.tauFf_Nm[j] = 0f;
        }
        link.sendCommand(command);
    }

    /**
     * The newest State into {@link #state}; a stale link ends the run. Staleness is judged here, where a State is
     * needed, and not on the link's stale event: a robot that waits disarmed between runs is not endangered by a late
     * State, and a lost port or a restarted device comes as the link's loss event anyway.
     */
    private void readFresh() {
        long age_us = HostClock.now_us() - link.lastStateTime_us();
        if (link.readState(state) == 0 || link.phase() != SerialLink.Phase.CONNECTED
                || age_us > config.staleLimit_s() * 1e6) {
            throw stopNow(RobotStopException.Reason.LINK_LOST, String.format(Locale.ROOT, "%s: no fresh State from %s"
                    + " (the newest is %.0f ms old, link %s): the robot is damped by its watchdog; check the cable and the"
                    + " robot's power, then resume", NAME, link.portName(), age_us / 1e3, link.phase()));
        }
    }

    // ------------------------------------------------------------------------------------------------ observation

    private void observe(float[] o) {
        o[A1Walk.OBS_ROLL] = (float) roll();
        o[A1Walk.OBS_PITCH] = (float) pitch();
        for (int i = 0; i < 3; i++) {
            o[A1Walk.OBS_ANGULAR_VELOCITY + i] = state.gyro_radps[i];
        }
        synchronized (lock) {
            for (int i = 0; i < 3; i++) {
                o[A1Walk.OBS_LINEAR_VELOCITY + i] = (float) velocity_mps[i];
            }
        }
        for (int j = 0; j < JOINTS; j++) {
            o[A1Walk.OBS_JOINT_ANGLES + j] = state.q_rad[j];
            o[A1Walk.OBS_JOINT_VELOCITIES + j] = state.dq_radps[j];
        }
        for (int f = 0; f < FEET; f++) {
            o[A1Walk.OBS_FOOT_CONTACTS + f] = state.footForce_N[f] > config.contactThreshold_N() ? 1f : 0f;
        }
        System.arraycopy(previousAction, 0, o, A1Walk.OBS_PREVIOUS_ACTION, previousAction.length);
    }

    private double roll() {
        return A1Walk.roll(state.quat[0], state.quat[1], state.quat[2], state.quat[3]);
    }

    private double pitch() {
        return A1Walk.pitch(state.quat[0], state.quat[1], state.quat[2], state.quat[3]);
    }

    /** The world z component of the trunk's z axis: 1 upright, 0 on a side, -1 on the back. */
    private double upZ() {
        double x = state.quat[1], y = state.quat[2];
        return 1 - 2 * (x * x + y * y);
    }

    private double[] rotation() {
        double w = state.quat[0], x = state.quat[1], y = state.quat[2], z = state.quat[3];
        double n = Math.sqrt(w * w + x * x + y * y + z * z);
        if (n > 0) {
            w /= n;
            x /= n;
            y /= n;
            z /= n;
        }
        return A1Walk.rotationMatrix(w, x, y, z, rotation);
    }

    /** The estimated forward speed along the trunk's heading, m/s (the reward's v_x). */
    public double forwardSpeed_mps() {
        double[] r = rotation();
        double vx, vy, vz;
        synchronized (lock) {
            vx = velocity_mps[0];
            vy = velocity_mps[1];
            vz = velocity_mps[2];
        }
        double vwx = r[0] * vx + r[1] * vy + r[2] * vz, vwy = r[3] * vx + r[4] * vy + r[5] * vz;
        double hn = Math.hypot(r[0], r[3]);
        return hn > 1e-9 ? (vwx * r[0] + vwy * r[3]) / hn : 0;
    }

    /** The world-frame yaw rate from the gyro, rad/s. */
    public double yawRate_radps() {
        double[] r = rotation();
        return r[6] * state.gyro_radps[0] + r[7] * state.gyro_radps[1] + r[8] * state.gyro_radps[2];
    }

    /**
     * The newest State from the link (any thread, at any time, also after a stop): its serial number, 0 when none came.
     */
    public long readState(State out) {
        return link.readState(out);
    }

    /** The last Command sent to the device (a copy into {@code out}): its targets, gains and interpolation time. */
    public void lastCommand(Command out) {
        out.copyFrom(command);
    }

    /** The newest State the control thread read (a copy into {@code out}). */
    public void lastState(State out) {
        out.copyFrom(state);
    }

    /** The link's counters into {@code out}. */
    public void linkStats(LinkStats out) {
        link.stats(out);
    }

    @Override
    public List<String> telemetryNames() {
        return TELEMETRY;
    }

    @Override
    public void telemetry(double[] out) {
        double[] r = rotation();
        out[0] = forwardSpeed_mps();
        out[1] = Math.atan2(r[3], r[0]);
        out[2] = yawRate_radps();
        for (int f = 0; f < FEET; f++) {
            out[3 + f] = state.footForce_N[f] > config.contactThreshold_N() ? 1 : 0;
        }
        synchronized (lock) {
            out[7] = estimatorContacts;
            out[8] = maxTemp_C;
            out[23] = tempWarnings;
        }
        link.stats(linkStats);
        out[9] = linkStats.packetsLost;
        out[10] = linkStats.rxErrorsTotal;
        out[11] = linkStats.linkLosses;
        out[12] = linkStats.rttP50_us / 1e3;
        out[13] = linkStats.rttP99_us / 1e3;
        out[14] = resets;
        out[15] = getUps;
        out[16] = getUpTries;
        out[17] = getUpFailures;
        out[18] = lastReset_s;
        out[19] = interlocks[BREACH_TILT];
        out[20] = interlocks[BREACH_JOINT];
        out[21] = interlocks[BREACH_TORQUE];
        out[22] = interlocks[BREACH_DEVICE];
    }

    // ------------------------------------------------------------------------------------------------ stopping

    /**
     * The operator's e-stop, safe from any thread (a key, SIGINT, SIGTERM): the device latches damping at once and
     * the run ends; the control thread's next call throws {@link RobotStopException} with reason ESTOP.
     */
    public void estop(String why) {
        stop(RobotStopException.Reason.ESTOP, NAME + ": operator e-stop (" + why + "): the robot is damped; make it safe,"
                + " then resume the run", Protocol.ESTOP_OPERATOR);
    }

    /** The host failed (the learner diverged, a thread died): damp the robot at once and end the run; any thread. */
    public void damp(String why) {
        stop(RobotStopException.Reason.HOST_FAILURE, NAME + ": the host failed (" + why + "): the robot is damped; fix"
                + " the cause, then resume the run", Protocol.ESTOP_HOST_INTERLOCK);
    }

    /** The reason the run stopped, or null while it runs. */
    public RobotStopException stopped() {
        return stop.get();
    }

    /** E-stops the robot (damping, latched on the device) and closes the link. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop.compareAndSet(null, new RobotStopException(RobotStopException.Reason.CLOSED, NAME + " is closed"));
        selfEstop = true;
        link.estop(Protocol.ESTOP_HOST_SHUTDOWN);
        link.close();
    }

    private void stop(RobotStopException.Reason reason, String message, int estopReason) {
        selfEstop = true;
        if (stop.compareAndSet(null, new RobotStopException(reason, message))) {
            LOG.warning(message);
        }
        SerialLink l = link;
        if (l != null) {
            l.estop(estopReason);
        }
    }

    private RobotStopException stopNow(RobotStopException.Reason reason, String message) {
        stop(reason, message, Protocol.ESTOP_HOST_INTERLOCK);
        return stop.get();
    }

    private void checkStop() {
        RobotStopException e = stop.get();
        if (e != null) {
            running = false;
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------ reader thread

    /** On the link's reader thread: the estimator and the interlocks that must see every State. */
    private final class Reader implements SerialLink.Listener {
        @Override
        public void onState(State s) {
            double tooHot = 0;
            int tooHotJoint = -1;
            synchronized (lock) {
                long t = s.fwTime_us;
                if (lastFwTime_us >= 0 && t > lastFwTime_us && t - lastFwTime_us <= 50_000) {
                    estimator.update(s.quat, s.gyro_radps, s.accel_mps2, s.q_rad, s.dq_radps, s.footForce_N,
                            (t - lastFwTime_us) * 1e-6);
                } else if (lastFwTime_us >= 0) {
                    estimator.reset(); // a gap (or a new session's clock): start the filter again
                }
                lastFwTime_us = t;
                for (int i = 0; i < 3; i++) {
                    velocity_mps[i] = estimator.velocity_mps(i);
                }
                estimatorContacts = estimator.contactsUsed();
                double hottest = 0;
                int hot = 0;
                for (int j = 0; j < JOINTS; j++) {
                    if (s.temp_C[j] > hottest) {
                        hottest = s.temp_C[j];
                        hot = j;
                    }
                }
                maxTemp_C = hottest;
                if (hottest >= config.tempWarn_C() && !warm) {
                    warm = true;
                    tempWarnings++;
                } else if (hottest < config.tempWarn_C() - 2) {
                    warm = false;
                }
                if (hottest >= config.tempStop_C() || (s.faults & Protocol.FAULT_OVER_TEMPERATURE) != 0) {
                    tooHot = hottest;
                    tooHotJoint = hot;
                }
                if (monitoring && breach == BREACH_NONE) {
                    monitor(s);
                }
            }
            if (stop.get() != null) {
                holding = false;
                return; // stopped already: the device was e-stopped once, not once per State
            }
            if (holding) {
                long now = System.nanoTime();
                if (now - holdSince_ns > HOLD_LIMIT_NS) {
                    holding = false;   // the host is slower than any boundary should be: let the watchdog damp
                } else if (now - lastHoldSent_ns >= interp_us * 500L) {   // every half period: a margin of 50 ms
                    lastHoldSent_ns = now;
                    link.sendCommand(holdCommand);
                }
            }
            if (tooHotJoint >= 0) {
                stop(RobotStopException.Reason.OVER_TEMPERATURE, String.format(Locale.ROOT, "%s: motor %d is at %.0f C"
                        + " (stop at %.0f C, the driver cuts at 60 C): the robot is damped; let the motors cool below"
                        + " %.0f C, then resume", NAME, tooHotJoint, tooHot, config.tempStop_C(), config.tempWarn_C()),
                        Protocol.ESTOP_HOST_INTERLOCK);
            } else if ((s.faults & Protocol.FAULT_SENSOR) != 0) {
                stop(RobotStopException.Reason.DEVICE_FAULT, NAME + ": the device latched a SENSOR fault (a sensor reads"
                        + " NaN or infinity): the robot is damped; check the IMU, encoders and foot sensors, then resume",
                        Protocol.ESTOP_HOST_INTERLOCK);
            } else if ((s.faults & Protocol.FAULT_ESTOP) != 0 && armedOnce && !selfEstop) {
                stop(RobotStopException.Reason.ESTOP, NAME + ": the robot's e-stop was pressed (ESTOP latched on the"
                        + " device): the robot is damped; release the e-stop when it is safe, then resume",
                        Protocol.ESTOP_HOST_INTERLOCK);
            }
        }

        /** Under lock, while an episode runs. */
        private void monitor(State s) {
            double r = A1Walk.roll(s.quat[0], s.quat[1], s.quat[2], s.quat[3]);
            double p = A1Walk.pitch(s.quat[0], s.quat[1], s.quat[2], s.quat[3]);
            if (Math.abs(r) > config.terminationAngle_rad() || Math.abs(p) > config.terminationAngle_rad()) {
                breach(BREACH_TILT, -1, Math.max(Math.abs(r), Math.abs(p)));
                return;
            }
            long deviceFaults = s.faults & (Protocol.FAULT_WATCHDOG | Protocol.FAULT_JOINT_LIMIT);
            if (deviceFaults != 0 || (s.status & Protocol.STATUS_ARMED) == 0) {
                breach(BREACH_DEVICE, -1, s.faults);
                return;
            }
            boolean saturated = false;
            int satJoint = -1;
            for (int j = 0; j < JOINTS; j++) {
                double q = s.q_rad[j];
                if (q < Q_MIN_RAD[j % 3] + config.jointMargin_rad() || q > Q_MAX_RAD[j % 3] - config.jointMargin_rad()) {
                    breach(BREACH_JOINT, j, q);
                    return;
                }
                if (Math.abs(s.tauEst_Nm[j]) >= config.torqueLimit_Nm()) {
                    saturated = true;
                    satJoint = j;
                }
            }
            if (!saturated) {
                saturatedSince_us = -1;
            } else if (saturatedSince_us < 0) {
                saturatedSince_us = s.fwTime_us;
            } else if (s.fwTime_us - saturatedSince_us >= config.torqueSaturation_s() * 1e6) {
                breach(BREACH_TORQUE, satJoint, s.tauEst_Nm[satJoint]);
            }
        }

        private void breach(int code, int joint, double value) {
            breach = code;
            breachJoint = joint;
            breachValue = value;
        }

        @Override
        public void onLinkLost(String reason) {
            stop(RobotStopException.Reason.LINK_LOST, NAME + ": " + reason + "; the run ends (the device's watchdog"
                    + " damps the robot within 100 ms): check the cable and the robot's power, then resume",
                    Protocol.ESTOP_HOST_INTERLOCK);
        }

        @Override
        public void onRefused(String message) {
            stop(RobotStopException.Reason.DEVICE_FAULT, NAME + ": " + message, Protocol.ESTOP_HOST_INTERLOCK);
        }

        @Override
        public void onSession(HelloAck ack) {
            synchronized (lock) {
                lastFwTime_us = -1;
            }
        }

        @Override
        public void onFault(Fault fault) {
        }
    }
}
