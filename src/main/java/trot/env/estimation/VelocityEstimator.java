package trot.env.estimation;

/**
 * The reference's 3-state Kalman filter of the trunk's linear velocity (FACTS.md section 8; the paper's real robot
 * does not measure it). Equations and their mapping to this class: {@code docs/estimator.md}.
 *
 * <p>State {@code v} (m/s) in the trunk frame, {@code F = H = B = I}, {@code Q = q I}, {@code R = r I},
 * {@code P0 = p0 I}. One {@link #update} is one predict and, when a foot is in contact, one update:
 * <pre>
 *   predict:  u = (f + R_wb^T g) dt            f: accelerometer (specific force), g = (0, 0, -9.81) m/s^2
 *             v = v + u,   P = P + Q
 *   measure:  z = mean over feet i with force_i > threshold of  -(J_i(q_i) qdot_i [+ omega x r_i(q_i)])
 *   update:   K = P (P + R)^-1,   v = v + K (z - v),   P = (I - K) P
 * </pre>
 * Because F = H = I and Q, R, P0 are multiples of I, P stays a multiple of I: {@code P = p I}, and the filter keeps
 * the scalar {@code p} ({@code p += q}; {@code k = p / (p + r)}; {@code p = (1 - k) p}), which is exactly the matrix
 * filter's result. Q and R are per filter step, as in the reference: the filter's smoothing depends on how often it
 * is called.
 *
 * <p>The measurement is the trunk velocity that keeps a foot in contact still: a stance foot's world velocity is
 * {@code v + omega x r + J qdot = 0}. The reference omits {@code omega x r}; {@link Config#angularTerm()} includes it
 * (the gyro being at hand, it is the physically right measurement). Not thread-safe; allocation-free after
 * construction.
 */
public final class VelocityEstimator {
    /** Standard gravity, m/s^2, as in MuJoCo's default model and the A1's firmware. */
    public static final double GRAVITY_MPS2 = 9.81;
    public static final int JOINTS = 12, FEET = 4;

    /**
     * The filter's constants.
     *
     * @param processNoise       q of {@code Q = q I}, per filter step, (m/s)^2
     * @param measurementNoise   r of {@code R = r I}, (m/s)^2
     * @param initialCovariance  p0 of {@code P0 = p0 I}, (m/s)^2
     * @param contactThreshold_N foot force above which a foot counts as in contact
     * @param angularTerm        whether the leg measurement includes {@code -omega x r_foot}
     */
    public record Config(double processNoise, double measurementNoise, double initialCovariance,
                         double contactThreshold_N, boolean angularTerm) {
        public Config {
            check("process noise Q", processNoise);
            check("measurement noise R", measurementNoise);
            check("initial covariance P0", initialCovariance);
            check("contact threshold", contactThreshold_N);
        }

        /** With the angular term ({@link #DEFAULT_ANGULAR_TERM}). */
        public Config(double processNoise, double measurementNoise, double initialCovariance, double contactThreshold_N) {
            this(processNoise, measurementNoise, initialCovariance, contactThreshold_N, DEFAULT_ANGULAR_TERM);
        }

        /** Whether {@link #reference()} and the 4-argument constructor include {@code -omega x r_foot}. */
        public static final boolean DEFAULT_ANGULAR_TERM = true;

        private static void check(String what, double value) {
            if (!(value > 0) || !Double.isFinite(value)) {
                throw new IllegalArgumentException("VelocityEstimator config: the " + what
                        + " must be positive and finite, got " + value
                        + " (Config.reference() has Q = 0.03059, R = 0.006206, P0 = 0.1, contact at 20 N)");
            }
        }

        /** The reference's values: Q = 0.03059, R = 0.006206 (empirical, real A1), P0 = 0.1, contact at 20 N. */
        public static Config reference() {
            return new Config(0.03059, 0.006206, 0.1, 20);
        }

        /** The same with the angular term on or off. */
        public Config withAngularTerm(boolean on) {
            return new Config(processNoise, measurementNoise, initialCovariance, contactThreshold_N, on);
        }

        /** The same with another contact threshold (e.g. for a robot whose foot sensors read in other units). */
        public Config withContactThreshold(double threshold_N) {
            return new Config(processNoise, measurementNoise, initialCovariance, threshold_N, angularTerm);
        }
    }

    private final Config config;
    private final A1Kinematics kinematics;
    private final double[] v = new double[3];
    private final double[] z = new double[3];
    private final double[] foot = new double[3], jacobian = new double[9];
    private double p;
    private int contacts;

    /** The estimator of the A1's legs. */
    public VelocityEstimator(Config config) {
        this(config, new A1Kinematics());
    }

    /** The estimator of legs with {@code kinematics} (a robot file's {@code leg.*} geometry). */
    public VelocityEstimator(Config config, A1Kinematics kinematics) {
        if (config == null || kinematics == null) {
            throw new IllegalArgumentException("VelocityEstimator: config or kinematics is null; use"
                    + " VelocityEstimator.Config.reference() and new A1Kinematics()");
        }
        this.config = config;
        this.kinematics = kinematics;
        reset();
    }

    public Config config() {
        return config;
    }

    /** Forget: v = 0, P = P0 I. Called at every episode start. */
    public void reset() {
        v[0] = v[1] = v[2] = 0;
        z[0] = z[1] = z[2] = 0;
        p = config.initialCovariance();
        contacts = 0;
    }

    /**
     * One filter step: predict with the accelerometer, then update with the legs in contact (see the class comment).
     * quat_wxyz: trunk orientation (trunk -> world, w first, as MuJoCo and the firmware's State report it; normalised
     * here); accel_mps2: the IMU's specific force in the trunk frame (reads +9.81 up at rest); q_rad, dq_radps: 12
     * joints in the order FR, FL, RR, RL x (hip, thigh, calf); gyro_radps: trunk rate (trunk frame); footForce_N: 4
     * feet; dt_s: time since the previous update. Allocation-free.
     *
     * @throws IllegalArgumentException when an array is too short, dt_s is not positive and finite, or the quaternion
     *                                  is zero or not finite
     */
    public void update(float[] quat_wxyz, float[] gyro_radps, float[] accel_mps2, float[] q_rad, float[] dq_radps,
                       float[] footForce_N, double dt_s) {
        if (quat_wxyz.length < 4 || gyro_radps.length < 3 || accel_mps2.length < 3 || q_rad.length < JOINTS
                || dq_radps.length < JOINTS || footForce_N.length < FEET) {
            throw new IllegalArgumentException("VelocityEstimator.update: arrays too short: quaternion " + quat_wxyz.length
                    + " (needs 4), gyro " + gyro_radps.length + " (3), accelerometer " + accel_mps2.length + " (3), q "
                    + q_rad.length + " (12), dq " + dq_radps.length + " (12), foot forces " + footForce_N.length + " (4)");
        }
        if (!(dt_s > 0) || !Double.isFinite(dt_s)) {
            throw new IllegalArgumentException("VelocityEstimator.update: dt_s must be positive and finite, got " + dt_s
                    + " (the time since the previous update, seconds)");
        }
        double w = quat_wxyz[0], x = quat_wxyz[1], y = quat_wxyz[2], zq = quat_wxyz[3];
        double n2 = w * w + x * x + y * y + zq * zq;
        if (!(n2 > 1e-12) || !Double.isFinite(n2)) {
            throw new IllegalArgumentException("VelocityEstimator.update: the orientation quaternion (" + w + ", " + x
                    + ", " + y + ", " + zq + ") is zero or not finite; pass the IMU's unit quaternion, w first");
        }
        // Gravity in the trunk frame: R^T (0, 0, -g) = -g * (third row of R), R of the unit quaternion q / |q|.
        double s = 2 / n2;
        double gx = -GRAVITY_MPS2 * s * (x * zq - w * y);
        double gy = -GRAVITY_MPS2 * s * (y * zq + w * x);
        double gz = -GRAVITY_MPS2 * (1 - s * (x * x + y * y));
        // Predict.
        v[0] += (accel_mps2[0] + gx) * dt_s;
        v[1] += (accel_mps2[1] + gy) * dt_s;
        v[2] += (accel_mps2[2] + gz) * dt_s;
        p += config.processNoise();
        // Measure: the mean over the stance feet of the trunk velocity that keeps the foot still.
        double zx = 0, zy = 0, zz = 0;
        int n = 0;
        double wx = gyro_radps[0], wy = gyro_radps[1], wz = gyro_radps[2];
        for (int leg = 0; leg < FEET; leg++) {
            if (!(footForce_N[leg] > config.contactThreshold_N())) {
                continue;
            }
            int j = 3 * leg;
            double h = q_rad[j], t = q_rad[j + 1], c = q_rad[j + 2];
            double dh = dq_radps[j], dt = dq_radps[j + 1], dc = dq_radps[j + 2];
            kinematics.footJacobian(leg, h, t, c, jacobian);
            double[] a = jacobian;
            double fx = a[0] * dh + a[1] * dt + a[2] * dc;
            double fy = a[3] * dh + a[4] * dt + a[5] * dc;
            double fz = a[6] * dh + a[7] * dt + a[8] * dc;
            if (config.angularTerm()) {
                kinematics.footPosition(leg, h, t, c, foot);
                fx += wy * foot[2] - wz * foot[1];
                fy += wz * foot[0] - wx * foot[2];
                fz += wx * foot[1] - wy * foot[0];
            }
            zx -= fx;
            zy -= fy;
            zz -= fz;
            n++;
        }
        contacts = n;
        if (n == 0) {
            return;
        }
        z[0] = zx / n;
        z[1] = zy / n;
        z[2] = zz / n;
        // Update; P = p I, so K = k I.
        double k = p / (p + config.measurementNoise());
        v[0] += k * (z[0] - v[0]);
        v[1] += k * (z[1] - v[1]);
        v[2] += k * (z[2] - v[2]);
        p = (1 - k) * p;
    }

    /** The estimate, m/s, trunk frame: 0 x forward, 1 y left, 2 z up. */
    public double velocity_mps(int axis) {
        return v[axis];
    }

    /** The estimate {x, y, z}, m/s, trunk frame, into {@code out3}. */
    public void velocity_mps(float[] out3) {
        out3[0] = (float) v[0];
        out3[1] = (float) v[1];
        out3[2] = (float) v[2];
    }

    /** Feet in contact at the last update (0 to 4; 0: that update only predicted). */
    public int contactsUsed() {
        return contacts;
    }

    /** The last leg-kinematics measurement z, m/s, trunk frame (held from the last update with a foot in contact). */
    public double measurement_mps(int axis) {
        return z[axis];
    }

    /** p of the covariance {@code P = p I}, (m/s)^2. */
    public double covariance() {
        return p;
    }
}
