package trot.env.sim;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trot.env.StepResult;

import java.nio.DoubleBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The walking task in MuJoCo: standing, falling, the time limit, the observation, terrain and seeds. */
class A1WalkTest {
    static final Path MODEL = Path.of("hardware/a1/a1.xml");

    @BeforeAll
    static void mujoco() {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
    }

    static A1Walk flat() {
        return new A1Walk(A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.flat()));
    }

    @Test
    void aZeroActionStandsForTwentySecondsOnFlatGround() {
        try (A1Walk env = flat()) {
            env.seed(1);
            float[] obs = new float[48], zero = new float[12];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            int steps = 0;
            double[] pos = new double[3];
            do {
                env.step(zero, r);
                steps++;
                assertFalse(r.terminated, "fell at step " + steps + " (roll " + r.observation[0] + ", pitch " + r.observation[1] + ")");
            } while (!r.truncated);
            assertEquals(400, steps, "20 s at 20 Hz, then the time limit");
            env.trunkPosition(pos);
            assertTrue(pos[2] > 0.28, "still standing: trunk at " + pos[2] + " m");
            assertTrue(Math.abs(r.observation[0]) < 0.1 && Math.abs(r.observation[1]) < 0.1, "level");
            for (int l = 0; l < 4; l++) {
                assertEquals(1f, r.observation[A1Walk.OBS_FOOT_CONTACTS + l], "foot " + A1Walk.LEGS[l] + " on the ground");
            }
            assertThrows(IllegalStateException.class, () -> env.step(zero, r), "the episode is over: reset first");
        }
    }

    @Test
    void tiltingPastThirtyDegreesTerminatesAndIsNotATruncation() {
        try (A1Walk env = flat()) {
            env.seed(2);
            float[] obs = new float[48];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            // Roll the trunk by 40 degrees about x (quaternion w, x, y, z in qpos[3..6]).
            DoubleBuffer qpos = env.simulation().qpos();
            double half = Math.toRadians(40) / 2;
            qpos.put(3, Math.cos(half));
            qpos.put(4, Math.sin(half));
            qpos.put(5, 0);
            qpos.put(6, 0);
            qpos.put(2, 1.0);  // in the air, so it cannot right itself within one step
            env.step(new float[12], r);
            assertTrue(r.terminated, "roll " + r.observation[0] + " rad must end the episode");
            assertFalse(r.truncated);
            assertTrue(Math.abs(r.observation[A1Walk.OBS_ROLL]) > Math.toRadians(30));
        }
    }

    @Test
    void observationLayout() {
        try (A1Walk env = flat()) {
            env.seed(3);
            float[] obs = new float[48];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            for (int j = 0; j < 12; j++) {
                assertEquals(env.robot().stand_rad(j), obs[A1Walk.OBS_JOINT_ANGLES + j], 1e-6, "joint angle " + j + " at reset");
                assertEquals(0f, obs[A1Walk.OBS_JOINT_VELOCITIES + j], 1e-6f);
                assertEquals(0f, obs[A1Walk.OBS_PREVIOUS_ACTION + j]);
            }
            for (int l = 0; l < 4; l++) {
                assertEquals(0f, obs[A1Walk.OBS_FOOT_CONTACTS + l], "lifted until nothing touches");
            }
            float[] a = new float[12];
            for (int j = 0; j < 12; j++) {
                a[j] = (j - 6) / 10f;
            }
            for (int t = 0; t < 10; t++) {
                env.step(a, r);
            }
            for (int j = 0; j < 12; j++) {
                assertEquals(a[j], r.observation[A1Walk.OBS_PREVIOUS_ACTION + j], "the previous action, entry " + j);
            }
            // The joints follow the targets: q* = stand + a * scale (PD, so approximately).
            double[] q = new double[12];
            A1Walk.mapAction(env.robot(), a, q);
            for (int j = 0; j < 12; j++) {
                assertEquals(q[j], r.observation[A1Walk.OBS_JOINT_ANGLES + j], 0.15, "joint " + j + " tracks its target");
            }
            assertEquals(48, env.spec().observationSize());
            assertEquals(12, env.spec().actionSize());
            assertEquals(0.05, env.spec().controlPeriodSeconds(), 0);
        }
    }

    @Test
    void terrainAndFrictionFollowTheSeed() {
        A1Walk.Config c = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL));
        try (A1Walk a = new A1Walk(c); A1Walk b = new A1Walk(c)) {
            a.seed(7);
            b.seed(7);
            float[] oa = new float[48], ob = new float[48];
            java.util.Set<String> kinds = new java.util.HashSet<>();
            for (int e = 0; e < 12; e++) {
                a.reset(oa);
                b.reset(ob);
                assertEquals(a.terrainKind(), b.terrainKind());
                assertEquals(a.friction(), b.friction());
                assertTrue(a.friction() >= 0.75 && a.friction() <= 1.25, "friction " + a.friction());
                kinds.add(a.terrainKind());
            }
            assertEquals(java.util.Set.of("flat", "bumpy", "slope"), kinds, "all three kinds appear");
        }
    }

    @Test
    void theReferenceTerrainIsANewSmoothBoundedFieldEachEpisodeThatFollowsTheSeed() {
        A1Walk.Config c = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.reference());
        try (A1Walk a = new A1Walk(c); A1Walk b = new A1Walk(c)) {
            int rows = a.terrainRows(), cols = a.terrainColumns();
            float[] fa = new float[rows * cols], fb = new float[rows * cols], previous = new float[rows * cols];
            float[] oa = new float[48], ob = new float[48];
            // The bound on adjacent cells: grid heights 0.025 m apart at most over 0.2 m, interpolation and blur
            // cannot make it steeper.
            double maxGrade = (0.05 - 0.025) / 0.2;
            a.seed(3);
            b.seed(3);
            for (int e = 0; e < 4; e++) {
                a.reset(oa);
                b.reset(ob);
                a.copyTerrain(fa);
                b.copyTerrain(fb);
                assertEquals("bumpy", a.terrainKind(), "the reference terrain is always a bumpy field");
                assertTrue(java.util.Arrays.equals(fa, fb), "same seed, same field, episode " + e);
                float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
                double steepestX = 0, steepestY = 0;
                for (int r = 0; r < rows; r++) {
                    for (int k = 0; k < cols; k++) {
                        float h = fa[r * cols + k];
                        min = Math.min(min, h);
                        max = Math.max(max, h);
                        if (k + 1 < cols) {
                            steepestX = Math.max(steepestX, Math.abs(fa[r * cols + k + 1] - h) / a.terrainCellX_m());
                        }
                        if (r + 1 < rows) {
                            steepestY = Math.max(steepestY, Math.abs(fa[(r + 1) * cols + k] - h) / a.terrainCellY_m());
                        }
                    }
                }
                assertTrue(min >= 0.025f - 1e-6f && max <= 0.05f + 1e-6f, "heights in [0.025, 0.05] m: " + min + " .. " + max);
                assertTrue(max - min > 0.015f, "the bumps use most of their range: " + min + " .. " + max);
                assertTrue(steepestX <= maxGrade + 1e-5 && steepestY <= maxGrade + 1e-5,
                        "adjacent cells at most " + maxGrade + " m/m apart, got " + steepestX + " (x), " + steepestY + " (y)");
                assertTrue(steepestX > 0.3 * maxGrade, "not flattened away: steepest " + steepestX);
                if (e > 0) {
                    int same = 0;
                    for (int i = 0; i < fa.length; i++) {
                        same += fa[i] == previous[i] ? 1 : 0;
                    }
                    assertTrue(same < fa.length / 100, "a new field each episode: " + same + " of " + fa.length + " cells unchanged");
                }
                System.arraycopy(fa, 0, previous, 0, fa.length);
            }
            // Another seed, another field.
            b.seed(4);
            b.reset(ob);
            b.copyTerrain(fb);
            assertFalse(java.util.Arrays.equals(fa, fb), "another seed draws another field");
        }
    }

    @Test
    void aSnapshotAtAResetRestoresTheReferenceField() {
        A1Walk.Config c = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.reference());
        try (A1Walk a = new A1Walk(c); A1Walk b = new A1Walk(c)) {
            float[] o = new float[48], fa = new float[a.terrainRows() * a.terrainColumns()], fb = new float[fa.length];
            a.seed(11);
            a.reset(o);
            a.reset(o);
            trot.io.Snapshot.Builder snap = trot.io.Snapshot.builder();
            a.saveState(snap);
            a.copyTerrain(fa);
            b.seed(99);
            b.reset(o);
            b.restoreState(snap.build(Path.of("test")), o);
            b.copyTerrain(fb);
            assertTrue(java.util.Arrays.equals(fa, fb), "the restored episode has the saved episode's field");
        }
    }

    @Test
    void theButterworthActionFilterSmoothsTheTargetsFromTheMeasuredAngles() {
        A1Walk.Config plain = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.flat());
        assertEquals(A1Walk.ActionFilter.NONE, plain.actionFilter(), "off by default");
        try (A1Walk off = new A1Walk(plain);
             A1Walk on = new A1Walk(plain.withActionFilter(A1Walk.ActionFilter.BUTTERWORTH))) {
            off.seed(5);
            on.seed(5);
            float[] obsOff = new float[48], obsOn = new float[48], a = new float[12];
            StepResult rOff = new StepResult(off.spec()), rOn = new StepResult(on.spec());
            double[] mapped = new double[12], tOff = new double[12], tOn = new double[12];
            trot.env.ButterworthLowPass expected = new trot.env.ButterworthLowPass(12, 3, 20);
            float[] in = new float[12], out = new float[12];
            for (int episode = 0; episode < 2; episode++) {
                off.reset(obsOff);
                on.reset(obsOn);
                // The filter's history: the measured joint angles at the reset (the observation holds them as floats).
                System.arraycopy(obsOn, A1Walk.OBS_JOINT_ANGLES, in, 0, 12);
                expected.reset(in);
                for (int t = 0; t < 10; t++) {
                    java.util.Arrays.fill(a, 0f);
                    a[1] = t < 5 ? 1f : -1f;   // FR thigh: a step up, then down
                    a[6] = 0.5f;               // RR hip: a constant offset
                    off.step(a, rOff);
                    on.step(a, rOn);
                    A1Walk.mapAction(off.robot(), a, mapped);
                    off.lastTargets(tOff);
                    on.lastTargets(tOn);
                    assertArrayEquals(mapped, tOff, 0, "no filter: the mapped targets, step " + t);
                    for (int j = 0; j < 12; j++) {
                        in[j] = (float) mapped[j];
                    }
                    expected.filter(in, out);
                    for (int j = 0; j < 12; j++) {
                        assertEquals(out[j], tOn[j], 0, "filtered target of joint " + j + ", episode " + episode + ", step " + t);
                    }
                    assertEquals(rOn.observation[A1Walk.OBS_PREVIOUS_ACTION + 1], a[1], "the observation keeps the raw action");
                }
            }
            on.reset(obsOn);
            java.util.Arrays.fill(a, 0f);
            a[1] = 1f;
            on.step(a, rOn);
            on.lastTargets(tOn);
            double start = obsOn[A1Walk.OBS_JOINT_ANGLES + 1], goal = 0.7 + 0.4;
            assertTrue(tOn[1] > start && tOn[1] < start + 0.25 * (goal - start),
                    "one step after a jump the target has moved a little way, from " + start + " toward " + goal + ": " + tOn[1]);
        }
    }

    @Test
    void aSnapshotNeedsNoFilterStateTheRestoredEpisodeRunsBitwiseTheSame() {
        A1Walk.Config c = A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.flat())
                .withActionFilter(A1Walk.ActionFilter.BUTTERWORTH);
        try (A1Walk a = new A1Walk(c); A1Walk b = new A1Walk(c)) {
            float[] oa = new float[48], ob = new float[48], act = new float[12];
            StepResult ra = new StepResult(a.spec()), rb = new StepResult(b.spec());
            a.seed(2);
            a.reset(oa);
            a.step(act, ra);   // filter history no longer the seed
            a.reset(oa);
            trot.io.Snapshot.Builder snap = trot.io.Snapshot.builder();
            a.saveState(snap);
            b.seed(8);
            b.reset(ob);
            for (int t = 0; t < 3; t++) {
                java.util.Arrays.fill(act, 0.3f);
                b.step(act, rb);   // b's filter has a history of its own until the restore
            }
            b.restoreState(snap.build(Path.of("test")), ob);
            assertArrayEquals(oa, ob);
            for (int t = 0; t < 20; t++) {
                for (int j = 0; j < 12; j++) {
                    act[j] = (float) Math.sin(0.7 * t + j);
                }
                a.step(act, ra);
                b.step(act, rb);
                assertArrayEquals(ra.observation, rb.observation, "step " + t);
                assertEquals(ra.reward, rb.reward);
            }
        }
    }

    @Test
    void theFilteredStepAllocatesNothing() {
        try (A1Walk env = new A1Walk(A1Walk.Config.paper(trot.env.TestRobots.a1(MODEL)).withTerrain(A1Walk.Terrain.flat())
                .withActionFilter(A1Walk.ActionFilter.BUTTERWORTH))) {
            env.seed(4);
            float[] obs = new float[48], a = new float[12];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            long[] windows = trot.testing.Allocations.windows(() -> {
                env.step(a, r);
                if (r.terminated || r.truncated) {
                    env.reset(obs);
                }
            }, 300, 50, 4);
            assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(),
                    "filtered control steps (and resets): " + trot.testing.Allocations.describe(windows, 50));
        }
    }

    @Test
    void stepAllocatesNothing() {
        try (A1Walk env = flat()) {
            env.seed(4);
            float[] obs = new float[48], a = new float[12];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            long[] windows = trot.testing.Allocations.windows(() -> {
                env.step(a, r);
                if (r.terminated || r.truncated) {
                    env.reset(obs);
                }
            }, 300, 50, 4);
            assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(),
                    "control steps (and resets): " + trot.testing.Allocations.describe(windows, 50));
        }
    }

    @Test
    void aMissingOrBrokenModelIsAClearError() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new A1Walk(A1Walk.Config.paper(trot.env.TestRobots.a1(Path.of("no/such/a1.xml")))));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path bad = java.nio.file.Files.createTempFile("broken", ".xml");
        java.nio.file.Files.writeString(bad, "<mujoco><worldbody><geom type=\"sphere\"/></worldbody>");
        e = assertThrows(IllegalArgumentException.class, () -> new Mujoco(bad));
        assertTrue(e.getMessage().contains("MuJoCo could not load"), e.getMessage());
        Path other = java.nio.file.Files.createTempFile("other", ".xml");
        java.nio.file.Files.writeString(other, "<mujoco><worldbody><geom type=\"sphere\" size=\"1\"/></worldbody></mujoco>");
        e = assertThrows(IllegalArgumentException.class, () -> new A1Walk(A1Walk.Config.paper(trot.env.TestRobots.a1(other))));
        assertTrue(e.getMessage().contains("no hinge joint FR_hip_joint, FR_thigh_joint") && e.getMessage().contains(
                "the model's hinge joints are none") && e.getMessage().contains("no keyframe home"), e.getMessage());
    }

    @Test
    void anUnstableSimulationEndsTheEpisodeAsAFallWithNoReward() {
        try (A1Walk env = flat()) {
            env.seed(3);
            float[] obs = new float[48];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            env.step(new float[12], r);
            assertFalse(r.terminated);
            // A velocity beyond MuJoCo's limit (1e10): MuJoCo warns and resets the state to the model's default pose.
            env.simulation().qvel().put(6, 1e12);
            env.step(new float[12], r);
            assertTrue(r.terminated, "the episode ends");
            assertFalse(r.truncated);
            assertEquals(0f, r.reward, "nothing is earned in a state MuJoCo made up");
            assertEquals(1, env.unstableSteps());
            assertThrows(IllegalStateException.class, () -> env.step(new float[12], r), "the episode is over");
        }
    }

    @Test
    void aClosedTaskRefusesToTouchTheFreedSimulation() {
        A1Walk env = flat();
        env.seed(4);
        float[] obs = new float[48];
        env.reset(obs);
        env.close();
        StepResult r = new StepResult(env.spec());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> env.step(new float[12], r));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> env.reset(obs));
        assertThrows(IllegalStateException.class, () -> env.telemetry(new double[10]));
    }
}
