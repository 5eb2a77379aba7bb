package trot.env.estimation;

import org.junit.jupiter.api.Test;
import trot.env.sim.Mujoco;

import java.nio.DoubleBuffer;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Foot positions against MuJoCo's own (the A1 model's foot sites), and the Jacobian against finite differences. */
class A1KinematicsTest {
    static final Path MODEL = Path.of("hardware/a1/a1.xml");
    static final String[] LEGS = {"FR", "FL", "RR", "RL"}, KINDS = {"hip", "thigh", "calf"};
    /** Joint ranges from A1.md (hip, thigh, calf). */
    static final double[] LOW = {-0.802851, -1.0472, -2.69653}, HIGH = {0.802851, 4.18879, -0.916298};

    static double[] randomJoints(Random r) {
        double[] q = new double[12];
        for (int j = 0; j < 12; j++) {
            q[j] = LOW[j % 3] + (HIGH[j % 3] - LOW[j % 3]) * r.nextDouble();
        }
        return q;
    }

    @Test
    void footPositionsAreMujocosFootSitesInTheTrunkFrame() {
        checkAgainstModel(new A1Kinematics(), MODEL, LOW, HIGH);
    }

    @Test
    void eachRobotFilesLegGeometryIsItsModels() {
        // The file's leg.* keys against the file's own model: a wrong length or offset in a robot file fails here.
        checkAgainstModel(trot.env.TestRobots.a1().kinematics(), trot.env.TestRobots.a1().model(), LOW, HIGH);
        checkAgainstModel(trot.env.TestRobots.go1().kinematics(), trot.env.TestRobots.go1().model(),
                new double[]{-0.863, -0.686, -2.818}, new double[]{0.863, 4.501, -0.888});
        assertThrows(IllegalArgumentException.class, () -> new A1Kinematics(0.183, 0.047, 0.08505, 0, 0.2));
    }

    static void checkAgainstModel(A1Kinematics kin, Path model, double[] low, double[] high) {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        Random r = new Random(11);
        double[] mine = new double[3];
        try (Mujoco sim = new Mujoco(model)) {
            DoubleBuffer qpos = sim.qpos(), sites = sim.doubles("site_xpos"), xpos = sim.doubles("xpos"), xquat = sim.doubles("xquat");
            int trunk = sim.requireId(Mujoco.ObjectType.BODY, "trunk");
            int[] address = new int[12], site = new int[4];
            for (int l = 0; l < 4; l++) {
                site[l] = sim.requireId(Mujoco.ObjectType.SITE, LEGS[l] + "_foot");
                for (int k = 0; k < 3; k++) {
                    address[3 * l + k] = sim.jointQposAddress(sim.requireId(Mujoco.ObjectType.JOINT, LEGS[l] + "_" + KINDS[k] + "_joint"));
                }
            }
            for (int trial = 0; trial < 20; trial++) {
                double[] q = new double[12];
                for (int j = 0; j < 12; j++) {
                    q[j] = low[j % 3] + (high[j % 3] - low[j % 3]) * r.nextDouble();
                }
                // The trunk somewhere, in a random orientation: the comparison is in the trunk's frame.
                double[] quat = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
                double n = Math.sqrt(quat[0] * quat[0] + quat[1] * quat[1] + quat[2] * quat[2] + quat[3] * quat[3]);
                qpos.put(0, r.nextGaussian()).put(1, r.nextGaussian()).put(2, 1 + r.nextDouble());
                for (int i = 0; i < 4; i++) {
                    qpos.put(3 + i, quat[i] / n);
                }
                for (int j = 0; j < 12; j++) {
                    qpos.put(address[j], q[j]);
                }
                sim.forward();
                double[] rot = rotation(xquat.get(4 * trunk), xquat.get(4 * trunk + 1), xquat.get(4 * trunk + 2), xquat.get(4 * trunk + 3));
                for (int l = 0; l < 4; l++) {
                    double dx = sites.get(3 * site[l]) - xpos.get(3 * trunk), dy = sites.get(3 * site[l] + 1) - xpos.get(3 * trunk + 1),
                            dz = sites.get(3 * site[l] + 2) - xpos.get(3 * trunk + 2);
                    kin.footPosition(l, q[3 * l], q[3 * l + 1], q[3 * l + 2], mine);
                    for (int a = 0; a < 3; a++) {
                        double expected = rot[a] * dx + rot[3 + a] * dy + rot[6 + a] * dz;  // R^T d
                        assertEquals(expected, mine[a], 1e-9, "trial " + trial + " leg " + LEGS[l] + " axis " + a);
                    }
                }
            }
        }
    }

    /** Row-major rotation matrix of a unit quaternion (w, x, y, z). */
    static double[] rotation(double w, double x, double y, double z) {
        return new double[]{
                1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)};
    }

    @Test
    void standingPoseFeetAreBelowTheHipsAtTheTrunkHeight() {
        // A1.md: trunk height 0.2 cos(thigh) + 0.2 cos(thigh + calf) + 0.02 (the foot radius) at hip 0.
        double[] p = new double[3];
        new A1Kinematics().footPosition(1, 0, 0.9, -1.8, p);
        assertEquals(-(0.2 * Math.cos(0.9) + 0.2 * Math.cos(-0.9)), p[2], 1e-12);
        assertEquals(0.183 + (-0.2 * Math.sin(0.9) - 0.2 * Math.sin(-0.9)), p[0], 1e-12);
        assertEquals(0.047 + 0.08505, p[1], 1e-12);
    }

    @Test
    void jacobianIsTheCentralDifferenceOfFootPosition() {
        A1Kinematics kin = new A1Kinematics();
        Random r = new Random(5);
        double[] jac = new double[9], plus = new double[3], minus = new double[3];
        double h = 1e-6;
        for (int trial = 0; trial < 50; trial++) {
            double[] q = randomJoints(r);
            for (int l = 0; l < 4; l++) {
                kin.footJacobian(l, q[3 * l], q[3 * l + 1], q[3 * l + 2], jac);
                for (int c = 0; c < 3; c++) {
                    double[] qp = {q[3 * l], q[3 * l + 1], q[3 * l + 2]}, qm = qp.clone();
                    qp[c] += h;
                    qm[c] -= h;
                    kin.footPosition(l, qp[0], qp[1], qp[2], plus);
                    kin.footPosition(l, qm[0], qm[1], qm[2], minus);
                    for (int row = 0; row < 3; row++) {
                        assertEquals((plus[row] - minus[row]) / (2 * h), jac[3 * row + c], 1e-8,
                                "leg " + l + " d p_" + row + " / d q_" + c + " at trial " + trial);
                    }
                }
            }
        }
    }

    @Test
    void anUnknownLegIsRejected() {
        A1Kinematics kin = new A1Kinematics();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kin.footPosition(4, 0, 0, 0, new double[3]));
        assertEquals(true, e.getMessage().contains("0 FR, 1 FL, 2 RR, 3 RL"), e.getMessage());
    }
}
