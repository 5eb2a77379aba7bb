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

    public A1Kinematics() {
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
        double xp = -THIGH_LENGTH_M * Math.sin(thigh_rad) - CALF_LENGTH_M * Math.sin(tc);
        double yp = THIGH_OFFSET_M * sy;
        double zp = -THIGH_LENGTH_M * Math.cos(thigh_rad) - CALF_LENGTH_M * Math.cos(tc);
        double ch = Math.cos(hip_rad), sh = Math.sin(hip_rad);
        out3[0] = HIP_X_M * sx + xp;
        out3[1] = HIP_Y_M * sy + yp * ch - zp * sh;
        out3[2] = yp * sh + zp * ch;
    }

    /** out9 = d footPosition / d (hip, thigh, calf), row-major 3x3. */
    public void footJacobian(int leg, double hip_rad, double thigh_rad, double calf_rad, double[] out9) {
        double sy = sideY(leg);
        double tc = thigh_rad + calf_rad;
        double s2 = CALF_LENGTH_M * Math.sin(tc), c2 = CALF_LENGTH_M * Math.cos(tc);
        double s1 = THIGH_LENGTH_M * Math.sin(thigh_rad) + s2;
        double yp = THIGH_OFFSET_M * sy;
        double zp = -THIGH_LENGTH_M * Math.cos(thigh_rad) - c2;
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
