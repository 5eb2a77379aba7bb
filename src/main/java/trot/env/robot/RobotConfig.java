package trot.env.robot;

/**
 * The real A1's task and safety thresholds. Every value is checked by the constructor; {@link #defaults()} gives the
 * paper's hardware task (FACTS.md sections 2 and 8).
 *
 * @param controlPeriod_s        time between actions (0.05: 20 Hz); each command is interpolated by the firmware
 *                               over it
 * @param maxEpisodeSteps        episode time limit in actions (400: 20 s)
 * @param statePeriod_us         the State period asked of the device (2,000): the velocity estimator runs on every
 *                               State, and its Q is per filter step, so this sets its smoothing (the simulated
 *                               task's estimator also runs every 2 ms)
 * @param targetSpeed_mps        v_t of the reward (0.5)
 * @param kp                     PD stiffness while learning, N m/rad (60)
 * @param kd                     PD damping while learning, N m s/rad (4: the hardware value)
 * @param contactThreshold_N     foot force above which a foot counts as in contact (20)
 * @param terminationAngle_rad   |roll| or |pitch| above this ends the episode as a fall (30 degrees)
 * @param actionFilter           run the joint targets through the paper robot's 2nd-order Butterworth low-pass
 * @param actionFilterCutoff_Hz  its cutoff (3)
 * @param jointMargin_rad        a joint closer than this to its range limit ends the episode (0.05)
 * @param torqueLimit_Nm         |estimated torque| at or above this counts as saturated (33.0; the firmware clips at
 *                               33.5)
 * @param torqueSaturation_s     saturation on some joint for this long without a break ends the episode (0.25)
 * @param tempWarn_C             a motor at or above this is reported (50: the motors' warning)
 * @param tempStop_C             a motor at or above this ends the run (57: below the driver's 60 C cut-off)
 * @param staleLimit_s           no State for this long ends the run as a lost link (0.25: the device's own watchdog
 *                               damps after 100 ms without a command; this only has to tell a lost link from a
 *                               loaded host)
 * @param getUpTries             tries of the get-up routine before the run ends (4)
 * @param getUpAngle_rad         get-up success needs |roll| and |pitch| below this (20 degrees)
 * @param getUpTolerance_rad     and every joint within this of the standing pose (0.2)
 * @param blendSteps             control steps of the blend from the get-up's gains to the task's (100)
 * @param resetKp                get-up stiffness (100)
 * @param resetKdHip             get-up damping of the hips (1)
 * @param resetKdLeg             get-up damping of thighs and calves (2)
 */
public record RobotConfig(double controlPeriod_s, int maxEpisodeSteps, int statePeriod_us, double targetSpeed_mps,
                          double kp, double kd, double contactThreshold_N, double terminationAngle_rad,
                          boolean actionFilter, double actionFilterCutoff_Hz, double jointMargin_rad,
                          double torqueLimit_Nm, double torqueSaturation_s, double tempWarn_C, double tempStop_C,
                          double staleLimit_s, int getUpTries, double getUpAngle_rad, double getUpTolerance_rad,
                          int blendSteps, double resetKp, double resetKdHip, double resetKdLeg) {
    /** The firmware's limits (fw.c, protocol.md section 3): the host never asks for more. */
    static final double MAX_KP = 500, MAX_KD = 50, DEVICE_TORQUE_LIMIT_NM = 33.5, DEVICE_TEMP_CUT_C = 60;

    public RobotConfig {
        String who = "RobotConfig: ";
        require(controlPeriod_s >= 0.005 && controlPeriod_s <= 0.1, who + "the control period must be 0.005 .. 0.1 s"
                + " (the device's watchdog damps 100 ms after the last command), got " + controlPeriod_s);
        require(maxEpisodeSteps >= 1, who + "maxEpisodeSteps must be at least 1, got " + maxEpisodeSteps);
        require(statePeriod_us >= 1000 && statePeriod_us <= 20_000 && statePeriod_us <= controlPeriod_s * 1e6,
                who + "the State period must be 1,000 .. 20,000 us and at most the control period, got " + statePeriod_us);
        require(targetSpeed_mps > 0 && targetSpeed_mps <= 3, who + "the target speed must be in (0, 3] m/s, got "
                + targetSpeed_mps);
        require(kp > 0 && kp <= MAX_KP && kd >= 0 && kd <= MAX_KD, who + "kp must be in (0, 500] and kd in [0, 50]"
                + " (the device rejects more), got kp " + kp + ", kd " + kd);
        require(contactThreshold_N >= 0 && Double.isFinite(contactThreshold_N), who
                + "the contact threshold must be a non-negative number of newtons, got " + contactThreshold_N);
        require(terminationAngle_rad > 0 && terminationAngle_rad < Math.PI / 2, who
                + "the termination angle must be in (0, pi/2) rad, got " + terminationAngle_rad);
        require(actionFilterCutoff_Hz > 0 && actionFilterCutoff_Hz < 0.5 / controlPeriod_s, who
                + "the action filter's cutoff must be positive and below half the control rate (" + 0.5 / controlPeriod_s
                + " Hz), got " + actionFilterCutoff_Hz);
        require(jointMargin_rad >= 0 && jointMargin_rad <= 0.3, who + "the joint margin must be 0 .. 0.3 rad, got "
                + jointMargin_rad);
        require(torqueLimit_Nm > 0 && torqueLimit_Nm <= DEVICE_TORQUE_LIMIT_NM, who
                + "the torque limit must be in (0, 33.5] N m (the device clips at 33.5), got " + torqueLimit_Nm);
        require(torqueSaturation_s > 0 && torqueSaturation_s <= 10, who + "the torque saturation time must be in"
                + " (0, 10] s, got " + torqueSaturation_s);
        require(tempWarn_C > 0 && tempWarn_C < tempStop_C && tempStop_C < DEVICE_TEMP_CUT_C, who
                + "temperatures need 0 < warn < stop < 60 C (the driver cuts at 60), got warn " + tempWarn_C + ", stop "
                + tempStop_C);
        require(staleLimit_s >= 3e-6 * statePeriod_us && staleLimit_s <= 1, who + "the stale limit must be at least"
                + " 3 State periods and at most 1 s, got " + staleLimit_s + " s");
        require(getUpTries >= 1 && getUpTries <= 20, who + "getUpTries must be 1 .. 20, got " + getUpTries);
        require(getUpAngle_rad > 0 && getUpAngle_rad <= Math.toRadians(45), who
                + "the get-up success angle must be in (0, 45] degrees, got " + Math.toDegrees(getUpAngle_rad));
        require(getUpTolerance_rad > 0 && getUpTolerance_rad <= 0.5, who + "the get-up joint tolerance must be in"
                + " (0, 0.5] rad, got " + getUpTolerance_rad);
        require(blendSteps >= 1 && blendSteps <= 1000, who + "blendSteps must be 1 .. 1000, got " + blendSteps);
        require(resetKp > 0 && resetKp <= MAX_KP && resetKdHip >= 0 && resetKdHip <= MAX_KD && resetKdLeg >= 0
                && resetKdLeg <= MAX_KD, who + "the get-up gains must be kp in (0, 500], kd in [0, 50], got kp " + resetKp
                + ", kd " + resetKdHip + " / " + resetKdLeg);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message + "; RobotConfig.defaults() has the paper's values");
        }
    }

    /** The paper's hardware task, with the thresholds documented above. */
    public static RobotConfig defaults() {
        return new RobotConfig(0.05, 400, 2000, 0.5, 60, 4, 20, Math.toRadians(30), false, 3, 0.05, 33.0, 0.25, 50, 57,
                0.25, 4, Math.toRadians(20), 0.2, 100, 100, 1, 2);
    }

    public RobotConfig withMaxEpisodeSteps(int steps) {
        return new RobotConfig(controlPeriod_s, steps, statePeriod_us, targetSpeed_mps, kp, kd, contactThreshold_N,
                terminationAngle_rad, actionFilter, actionFilterCutoff_Hz, jointMargin_rad, torqueLimit_Nm,
                torqueSaturation_s, tempWarn_C, tempStop_C, staleLimit_s, getUpTries, getUpAngle_rad, getUpTolerance_rad,
                blendSteps, resetKp, resetKdHip, resetKdLeg);
    }

    public RobotConfig withActionFilter(boolean on) {
        return new RobotConfig(controlPeriod_s, maxEpisodeSteps, statePeriod_us, targetSpeed_mps, kp, kd,
                contactThreshold_N, terminationAngle_rad, on, actionFilterCutoff_Hz, jointMargin_rad, torqueLimit_Nm,
                torqueSaturation_s, tempWarn_C, tempStop_C, staleLimit_s, getUpTries, getUpAngle_rad, getUpTolerance_rad,
                blendSteps, resetKp, resetKdHip, resetKdLeg);
    }

    public RobotConfig withBlendSteps(int steps) {
        return new RobotConfig(controlPeriod_s, maxEpisodeSteps, statePeriod_us, targetSpeed_mps, kp, kd,
                contactThreshold_N, terminationAngle_rad, actionFilter, actionFilterCutoff_Hz, jointMargin_rad,
                torqueLimit_Nm, torqueSaturation_s, tempWarn_C, tempStop_C, staleLimit_s, getUpTries, getUpAngle_rad,
                getUpTolerance_rad, steps, resetKp, resetKdHip, resetKdLeg);
    }

    public RobotConfig withTerminationAngle(double angle_rad) {
        return new RobotConfig(controlPeriod_s, maxEpisodeSteps, statePeriod_us, targetSpeed_mps, kp, kd,
                contactThreshold_N, angle_rad, actionFilter, actionFilterCutoff_Hz, jointMargin_rad,
                torqueLimit_Nm, torqueSaturation_s, tempWarn_C, tempStop_C, staleLimit_s, getUpTries, getUpAngle_rad,
                getUpTolerance_rad, blendSteps, resetKp, resetKdHip, resetKdLeg);
    }

    public RobotConfig withTempLimits(double warn_C, double stop_C) {
        return new RobotConfig(controlPeriod_s, maxEpisodeSteps, statePeriod_us, targetSpeed_mps, kp, kd,
                contactThreshold_N, terminationAngle_rad, actionFilter, actionFilterCutoff_Hz, jointMargin_rad,
                torqueLimit_Nm, torqueSaturation_s, warn_C, stop_C, staleLimit_s, getUpTries, getUpAngle_rad,
                getUpTolerance_rad, blendSteps, resetKp, resetKdHip, resetKdLeg);
    }
}
