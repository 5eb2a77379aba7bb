package trot.env.estimation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trot.testing.Allocations;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter against a plain 3x3-matrix Kalman filter written here, its configuration checks and its allocation. */
class VelocityEstimatorTest {

    /**
     * The textbook filter with full matrices: x = F x + B u, P = F P F^T + Q; y = z - H x, S = H P H^T + R,
     * K = P H^T S^-1, x = x + K y, P = (I - K H) P; F = H = B = I. The measurement uses finite-difference foot
     * velocities (d/ds footPosition(q + s qdot)) rather than the Jacobian, and an explicit rotation matrix.
     */
    static final class MatrixFilter {
        final double[][] q, r;
        final double p0;
        final double threshold;
        final boolean angular;
        double[] x = new double[3];
        double[][] p;
        int contacts;
        final A1Kinematics kin = new A1Kinematics();

        MatrixFilter(VelocityEstimator.Config c) {
            q = diag(c.processNoise());
            r = diag(c.measurementNoise());
            p0 = c.initialCovariance();
            threshold = c.contactThreshold_N();
            angular = c.angularTerm();
            reset();
        }

        void reset() {
            x = new double[3];
            p = diag(p0);
        }

        static double[][] diag(double v) {
            return new double[][]{{v, 0, 0}, {0, v, 0}, {0, 0, v}};
        }

        void update(float[] quat, float[] gyro, float[] accel, float[] qj, float[] dq, float[] force, double dt) {
            double n = Math.sqrt(quat[0] * quat[0] + quat[1] * quat[1] + quat[2] * quat[2] + quat[3] * quat[3]);
            double[] rot = A1KinematicsTest.rotation(quat[0] / n, quat[1] / n, quat[2] / n, quat[3] / n);
            double[] gWorld = {0, 0, -9.81};
            for (int a = 0; a < 3; a++) {
                double gTrunk = rot[a] * gWorld[0] + rot[3 + a] * gWorld[1] + rot[6 + a] * gWorld[2];
                x[a] += (accel[a] + gTrunk) * dt;
            }
            p = add(p, q);
            double[] z = new double[3];
            int k = 0;
            for (int leg = 0; leg < 4; leg++) {
                if (force[leg] <= threshold) {
                    continue;
                }
                double s = 1e-6;
                double[] plus = new double[3], minus = new double[3], foot = new double[3];
                int j = 3 * leg;
                kin.footPosition(leg, qj[j] + s * dq[j], qj[j + 1] + s * dq[j + 1], qj[j + 2] + s * dq[j + 2], plus);
                kin.footPosition(leg, qj[j] - s * dq[j], qj[j + 1] - s * dq[j + 1], qj[j + 2] - s * dq[j + 2], minus);
                kin.footPosition(leg, qj[j], qj[j + 1], qj[j + 2], foot);
                double[] cross = {gyro[1] * foot[2] - gyro[2] * foot[1], gyro[2] * foot[0] - gyro[0] * foot[2],
                        gyro[0] * foot[1] - gyro[1] * foot[0]};
                for (int a = 0; a < 3; a++) {
                    z[a] += -((plus[a] - minus[a]) / (2 * s) + (angular ? cross[a] : 0));
                }
                k++;
            }
            contacts = k;
            if (k == 0) {
                return;
            }
            for (int a = 0; a < 3; a++) {
                z[a] /= k;
            }
            double[][] gain = mul(p, inverse(add(p, r)));
            double[] y = {z[0] - x[0], z[1] - x[1], z[2] - x[2]};
            for (int a = 0; a < 3; a++) {
                x[a] += gain[a][0] * y[0] + gain[a][1] * y[1] + gain[a][2] * y[2];
            }
            double[][] ik = add(diag(1), scale(gain, -1));
            p = mul(ik, p);
        }

        static double[][] add(double[][] a, double[][] b) {
            double[][] c = new double[3][3];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    c[i][j] = a[i][j] + b[i][j];
                }
            }
            return c;
        }

        static double[][] scale(double[][] a, double s) {
            double[][] c = new double[3][3];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    c[i][j] = a[i][j] * s;
                }
            }
            return c;
        }

        static double[][] mul(double[][] a, double[][] b) {
            double[][] c = new double[3][3];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 3; k++) {
                        c[i][j] += a[i][k] * b[k][j];
                    }
                }
            }
            return c;
        }

        /** Adjugate over determinant. */
        static double[][] inverse(double[][] m) {
            double a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2], g = m[2][0], h = m[2][1], i = m[2][2];
            double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
            return new double[][]{
                    {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det},
                    {(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det},
                    {(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det}};
        }
    }

    /** Random sensor readings, with each foot in contact about half the time (so some steps have none). */
    static final class Readings {
        final float[] quat = new float[4], gyro = new float[3], accel = new float[3], q = new float[12], dq = new float[12],
                force = new float[4];
        final Random r;

        Readings(long seed) {
            r = new Random(seed);
        }

        void draw() {
            for (int i = 0; i < 4; i++) {
                quat[i] = (float) r.nextGaussian();  // not unit: the estimator normalises
            }
            quat[0] += 2;
            for (int i = 0; i < 3; i++) {
                gyro[i] = (float) r.nextGaussian();
                accel[i] = (float) (3 * r.nextGaussian() + (i == 2 ? 9.81 : 0));
            }
            double[] joints = A1KinematicsTest.randomJoints(r);
            for (int j = 0; j < 12; j++) {
                q[j] = (float) joints[j];
                dq[j] = (float) (5 * r.nextGaussian());
            }
            for (int l = 0; l < 4; l++) {
                force[l] = r.nextDouble() < 0.5 ? (float) (40 * r.nextDouble()) : 0f;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void matchesTheMatrixKalmanFilterWithAndWithoutContactsAndAcrossAReset(boolean angular) {
        VelocityEstimator.Config config = VelocityEstimator.Config.reference().withAngularTerm(angular);
        VelocityEstimator filter = new VelocityEstimator(config);
        MatrixFilter expected = new MatrixFilter(config);
        Readings in = new Readings(angular ? 1 : 2);
        int withoutContact = 0, withContact = 0;
        for (int step = 0; step < 400; step++) {
            if (step == 250) {
                filter.reset();
                expected.reset();
                assertEquals(0, filter.velocity_mps(0));
                assertEquals(config.initialCovariance(), filter.covariance());
            }
            in.draw();
            if (step % 7 == 0) {
                java.util.Arrays.fill(in.force, 0f);
            }
            double dt = 0.001 + 0.004 * in.r.nextDouble();
            filter.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, dt);
            expected.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, dt);
            assertEquals(expected.contacts, filter.contactsUsed(), "step " + step);
            if (filter.contactsUsed() == 0) {
                withoutContact++;
            } else {
                withContact++;
            }
            for (int a = 0; a < 3; a++) {
                assertEquals(expected.x[a], filter.velocity_mps(a), 1e-6 * (1 + Math.abs(expected.x[a])), "step " + step + " axis " + a);
                for (int b = 0; b < 3; b++) {
                    assertEquals(a == b ? filter.covariance() : 0, expected.p[a][b], 1e-12, "P stays p I, step " + step);
                }
            }
        }
        assertTrue(withoutContact > 50 && withContact > 200, withoutContact + " predict-only steps, " + withContact + " updates");
        float[] out = new float[3];
        filter.velocity_mps(out);
        assertEquals((float) filter.velocity_mps(1), out[1]);
    }

    @Test
    void theAngularTermChangesTheMeasurementOnlyWhenTheTrunkTurns() {
        Readings in = new Readings(3);
        in.draw();
        java.util.Arrays.fill(in.force, 30f);
        VelocityEstimator with = new VelocityEstimator(VelocityEstimator.Config.reference().withAngularTerm(true));
        VelocityEstimator without = new VelocityEstimator(VelocityEstimator.Config.reference().withAngularTerm(false));
        with.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, 0.002);
        without.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, 0.002);
        assertTrue(Math.abs(with.measurement_mps(0) - without.measurement_mps(0)) > 1e-3, "gyro non-zero: the term matters");
        java.util.Arrays.fill(in.gyro, 0f);
        with.reset();
        without.reset();
        with.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, 0.002);
        without.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, 0.002);
        for (int a = 0; a < 3; a++) {
            assertEquals(without.velocity_mps(a), with.velocity_mps(a), 0.0);
        }
    }

    @Test
    void atRestLevelAndStillTheEstimateStaysZero() {
        VelocityEstimator f = new VelocityEstimator(VelocityEstimator.Config.reference());
        float[] quat = {1, 0, 0, 0}, gyro = new float[3], accel = {0, 0, 9.81f}, q = new float[12], dq = new float[12],
                force = {30, 30, 30, 30};
        for (int j = 0; j < 12; j++) {
            q[j] = (float) A1KinematicsTest.LOW[j % 3] + 0.5f;
        }
        for (int i = 0; i < 100; i++) {
            f.update(quat, gyro, accel, q, dq, force, 0.002);
        }
        for (int a = 0; a < 3; a++) {
            assertEquals(0, f.velocity_mps(a), 1e-6);
        }
        assertEquals(4, f.contactsUsed());
    }

    @Test
    void badConfigurationIsRejectedWithTheReason() {
        double[] bad = {0, -1, Double.NaN, Double.POSITIVE_INFINITY};
        for (double b : bad) {
            assertThrows(IllegalArgumentException.class, () -> new VelocityEstimator.Config(b, 0.006, 0.1, 20));
            assertThrows(IllegalArgumentException.class, () -> new VelocityEstimator.Config(0.03, b, 0.1, 20));
            assertThrows(IllegalArgumentException.class, () -> new VelocityEstimator.Config(0.03, 0.006, b, 20));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VelocityEstimator.Config(0.03, 0.006, 0.1, b, false));
            assertTrue(e.getMessage().contains("contact threshold") && e.getMessage().contains(String.valueOf(b)), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new VelocityEstimator(null));
        VelocityEstimator.Config ref = VelocityEstimator.Config.reference();
        assertEquals(0.03059, ref.processNoise());
        assertEquals(0.006206, ref.measurementNoise());
        assertEquals(0.1, ref.initialCovariance());
        assertEquals(20, ref.contactThreshold_N());
    }

    @Test
    void badInputIsRejectedWithTheReason() {
        VelocityEstimator f = new VelocityEstimator(VelocityEstimator.Config.reference());
        float[] quat = {1, 0, 0, 0}, v3 = new float[3], j12 = new float[12], f4 = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.update(quat, v3, v3, j12, j12, f4, 0));
        assertTrue(e.getMessage().contains("dt_s"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.update(quat, v3, v3, j12, j12, f4, Double.NaN));
        e = assertThrows(IllegalArgumentException.class, () -> f.update(new float[4], v3, v3, j12, j12, f4, 0.002));
        assertTrue(e.getMessage().contains("quaternion"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.update(quat, v3, v3, new float[11], j12, f4, 0.002));
        assertTrue(e.getMessage().contains("q 11"), e.getMessage());
    }

    @Test
    void anUpdateAllocatesNothing() {
        VelocityEstimator f = new VelocityEstimator(VelocityEstimator.Config.reference());
        Readings in = new Readings(9);
        in.draw();
        float[] out = new float[3];
        int[] i = {0};
        Runnable step = () -> {
            in.force[i[0]++ & 3] = (i[0] & 4) == 0 ? 0f : 30f;  // vary the contacts without allocating
            f.update(in.quat, in.gyro, in.accel, in.q, in.dq, in.force, 0.002);
            f.velocity_mps(out);
            if ((i[0] & 255) == 0) {
                f.reset();
            }
        };
        long[] w = Allocations.windows(step, 20_000, 5_000, 4);
        assertEquals(0, java.util.Arrays.stream(w).min().orElseThrow(), Allocations.describe(w, 5_000));
    }
}
