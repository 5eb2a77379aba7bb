package trot.env.estimation;

/**
 * Leg kinematics of the Unitree A1 from {@code /work/shared/A1.md} (the numbers {@code hardware/a1/a1.xml} is built
 * from): foot positions and their Jacobians in the trunk frame (x forward, y left, z up, origin at the trunk body's
 * origin, where the IMU site is). Allocation-free; stateless, so one instance may be shared by threads.
 *
 * <p>Leg {@code l} in the order FR, FL, RR, RL has signs {@code s_x = +1} (front) or -1 (rear) and {@code s_y = -1}
 * (right) or +1 (left). With hip angle {@code h} (about x), thigh {@code t} and calf {@code c} (both about y), hip
 * offset {@code b = (0.183 s_x, 0.047 s_y, 0)}, thigh offset {@code d = 0.08505 s_y}, thigh and calf lengths
 * {@code L1 = L2 = 0.2}:
 * <pre>
 *   x' = -L1 sin t - L2 sin(t + c)        (foot in the hip frame, before the hip rotation)
 *   y' =  d
 *   z' = -L1 cos t - L2 cos(t + c)
 *   p  = b + Rx(h) (x', y', z') = b + (x', y' cos h - z' sin h, y' sin h + z' cos h)
 * </pre>
 * and the Jacobian {@code J = dp / d(h, t, c)} (rows x, y, z; columns h, t, c), with
 * {@code s1 = L1 sin t + L2 sin(t + c)}, {@code s2 = L2 sin(t + c)}, {@code c2 = L2 cos(t + c)}:
 * <pre>
 *   [ 0                        z'            -c2         ]
 *   [ -y' sin h - z' cos h     -s1 sin h     -s2 sin h   ]
 *   [  y' cos h - z' sin h      s1 cos h      s2 cos h   ]
 * </pre>
 * The foot is the centre of the foot sphere (radius 0.02 m), MuJoCo's {@code *_foot} site.
 *
 * <p>The numbers above are the A1's ({@link #A1Kinematics()}); another quadruped of the same layout (hip abduction
 * about x, thigh and calf about y) gives its own to {@link #A1Kinematics(double, double, double, double, double)},
 * from its robot file's {@code leg.*} keys.
 */
public final class A1Kinematics {
    /** Hip joint offsets from the trunk origin along x and y (magnitudes), m. */
    public static final double HIP_X_M = 0.183, HIP_Y_M = 0.047;
    /** Thigh joint offset from the hip joint along y (magnitude), m. */
    public static final double THIGH_OFFSET_M = 0.08505;
    /** Thigh (hip-to-knee) and calf (knee-to-foot-centre) lengths, m. */
    public static final double THIGH_LENGTH_M = 0.2, CALF_LENGTH_M = 0.2;
    /** Legs in the order of the joints and feet everywhere in trot. */
    public static final int LEGS = 4;

    private final double hipX_m, hipY_m, thighOffset_m, thighLength_m, calfLength_m;

    /** The A1's legs. */
    public A1Kinematics() {
        this(HIP_X_M, HIP_Y_M, THIGH_OFFSET_M, THIGH_LENGTH_M, CALF_LENGTH_M);
    }

    /**
     * Legs of this layout with hip joints at {@code (hipX_m s_x, hipY_m s_y, 0)}, the thigh joint {@code thighOffset_m}
     * further out along y, and links of {@code thighLength_m} and {@code calfLength_m} (knee to foot centre).
     *
     * @throws IllegalArgumentException for a length that is not positive and finite (or a negative offset)
     */
    public A1Kinematics(double hipX_m, double hipY_m, double thighOffset_m, double thighLength_m, double calfLength_m) {
        if (!(hipX_m > 0 && hipY_m >= 0 && thighOffset_m >= 0 && thighLength_m > 0 && calfLength_m > 0)
                || !Double.isFinite(hipX_m + hipY_m + thighOffset_m + thighLength_m + calfLength_m)) {
            throw new IllegalArgumentException("A1Kinematics: the hip offset x and the link lengths must be positive, the"
                    + " other offsets non-negative, got hip (" + hipX_m + ", " + hipY_m + "), thigh offset " + thighOffset_m
                    + ", thigh " + thighLength_m + ", calf " + calfLength_m + " m");
        }
        this.hipX_m = hipX_m;
        this.hipY_m = hipY_m;
        this.thighOffset_m = thighOffset_m;
        this.thighLength_m = thighLength_m;
        this.calfLength_m = calfLength_m;
    }

    /** +1 for the front legs (FR 0, FL 1), -1 for the rear legs (RR 2, RL 3). */
    public static double sideX(int leg) {
        checkLeg(leg);
        return leg < 2 ? 1 : -1;
    }

    /** -1 for the right legs (FR 0, RR 2), +1 for the left legs (FL 1, RL 3). */
    public static double sideY(int leg) {
        checkLeg(leg);
        return (leg & 1) == 0 ? -1 : 1;
    }

    private static void checkLeg(int leg) {
        if (leg < 0 || leg >= LEGS) {
            throw new IllegalArgumentException("A1Kinematics: leg " + leg + " does not exist; legs are 0 FR, 1 FL, 2 RR, 3 RL");
        }
    }

    /** leg 0 FR, 1 FL, 2 RR, 3 RL; angles hip, thigh, calf (rad); out3 = foot centre in the trunk frame (m). */
    public void footPosition(int leg, double hip_rad, double thigh_rad, double calf_rad, double[] out3) {
        double sx = sideX(leg), sy = sideY(leg);
        double tc = thigh_rad + calf_rad;
        double xp = -thighLength_m * Math.sin(thigh_rad) - calfLength_m * Math.sin(tc);
        double yp = thighOffset_m * sy;
        double zp = -thighLength_m * Math.cos(thigh_rad) - calfLength_m * Math.cos(tc);
        double ch = Math.cos(hip_rad), sh = Math.sin(hip_rad);
        out3[0] = hipX_m * sx + xp;
        out3[1] = hipY_m * sy + yp * ch - zp * sh;
        out3[2] = yp * sh + zp * ch;
    }

    /** out9 = d footPosition / d (hip, thigh, calf), row-major 3x3. */
    public void footJacobian(int leg, double hip_rad, double thigh_rad, double calf_rad, double[] out9) {
        double sy = sideY(leg);
        double tc = thigh_rad + calf_rad;
        double s2 = calfLength_m * Math.sin(tc), c2 = calfLength_m * Math.cos(tc);
        double s1 = thighLength_m * Math.sin(thigh_rad) + s2;
        double yp = thighOffset_m * sy;
        double zp = -thighLength_m * Math.cos(thigh_rad) - c2;
        double ch = Math.cos(hip_rad), sh = Math.sin(hip_rad);
        out9[0] = 0;
        out9[1] = zp;
        out9[2] = -c2;
        out9[3] = -yp * sh - zp * ch;
        out9[4] = -s1 * sh;
        out9[5] = -s2 * sh;
        out9[6] = yp * ch - zp * sh;
        out9[7] = s1 * ch;
        out9[8] = s2 * ch;
    }
}
