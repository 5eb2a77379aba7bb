package trot.env.sim;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.env.RobotDescription;
import trot.env.StepResult;
import trot.env.TestRobots;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Robot files: the A1's holds the paper's constants, a model missing what a file names is refused with every missing
 * name and what the model has, and the Go1's file runs the same task (it stands on its standing pose).
 */
class RobotFileTest {
    @BeforeAll
    static void needsMujoco() {
        Assumptions.assumeTrue(Mujoco.available(), Mujoco::unavailableReason);
    }

    @Test
    void theA1FileHoldsThePapersTaskConstants() {
        RobotDescription a1 = TestRobots.a1();
        assertEquals(Path.of("hardware/a1/a1.xml").toAbsolutePath().normalize(), a1.model(), "relative to the robot file");
        for (int j = 0; j < 12; j++) {
            assertEquals(new double[]{0.05, 0.7, -1.4}[j % 3], a1.stand_rad(j), 0, "standing pose, joint " + j);
            assertEquals(new double[]{0.2, 0.4, 0.4}[j % 3], a1.actionRange_rad(j), 0, "action range, joint " + j);
            assertEquals(33.5, a1.torqueLimit_Nm(j), 0);
            assertEquals(new double[]{0.05, 0.9, -1.8}[j % 3], a1.hardwareStand_rad(j), 0, "hardware pose, joint " + j);
            assertEquals(new String[]{"FR", "FL", "RR", "RL"}[j / 3] + "_" + new String[]{"hip", "thigh", "calf"}[j % 3]
                    + "_joint", a1.joints().get(j));
        }
        assertEquals(60, a1.kp_Nm_per_rad(), 0);
        assertEquals(10, a1.kd_Nm_s_per_rad(), 0);
        assertEquals(Math.toRadians(30), a1.terminationTilt_rad(), 0, "bitwise the angle trot always used");
        assertEquals(1.0, a1.contactThreshold_N(), 0);
        assertEquals(60, a1.hardwareKp_Nm_per_rad(), 0);
        assertEquals(4, a1.hardwareKd_Nm_s_per_rad(), 0);
        assertEquals(java.util.List.of("FR_touch", "FL_touch", "RR_touch", "RL_touch"), a1.footSensors());
    }

    @Test
    void aModelWithoutTheNamedPartsListsEveryMissingNameAndWhatItHas(@TempDir Path dir) throws Exception {
        // A broken copy of the A1: a joint renamed, a touch sensor and the gyro renamed, the trunk renamed.
        String xml = Files.readString(Path.of("hardware/a1/a1.xml"))
                .replace("name=\"RL_calf_joint\"", "name=\"RL_knee\"").replace("joint=\"RL_calf_joint\"", "joint=\"RL_knee\"")
                .replace("<touch name=\"FL_touch\"", "<touch name=\"FL_foot_force\"")
                .replace("<gyro name=\"gyro\"", "<gyro name=\"imu_gyro\"")
                .replace("<body name=\"trunk\"", "<body name=\"base\"");
        Path model = dir.resolve("broken.xml");
        Files.writeString(model, xml);
        RobotDescription robot = TestRobots.a1(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new A1Walk(A1Walk.Config.paper(robot)));
        String m = e.getMessage();
        assertTrue(m.contains("no hinge joint RL_calf_joint;") && m.contains("RL_knee"), "the joint and what there is: " + m);
        assertTrue(m.contains("no sensor gyro (gyro), FL_touch (touch)"), "both sensors, in one list: " + m);
        assertTrue(m.contains("imu_gyro (gyro)") && m.contains("FL_foot_force (touch)"), "the model's sensors: " + m);
        assertTrue(m.contains("no body trunk (the trunk); the model's bodies are base, FR_hip"), m);
        assertTrue(m.contains(model.toString()) && m.contains("a1.robot"), "names the model and the file: " + m);
        // A sensor of the wrong kind says what it is.
        Files.writeString(model, Files.readString(Path.of("hardware/a1/a1.xml"))
                .replace("<gyro name=\"gyro\"", "<accelerometer name=\"gyro\""));
        e = assertThrows(IllegalArgumentException.class, () -> new A1Walk(A1Walk.Config.paper(TestRobots.a1(model))));
        assertTrue(e.getMessage().contains("gyro (a gyro of 3 values; the model's is a accelerometer of 3)"), e.getMessage());
        // The whole check runs without a task too (trot emulate's pre-flight).
        assertThrows(IllegalArgumentException.class, () -> ModelBinding.check(TestRobots.a1(model)));
        ModelBinding.check(TestRobots.a1());
    }

    @Test
    void theGo1RunsTheSameTaskAndStandsOnItsStandingPose() {
        RobotDescription go1 = TestRobots.go1();
        assertEquals(23.7, go1.torqueLimit_Nm(1), 0);
        assertEquals(35.55, go1.torqueLimit_Nm(2), 0);
        try (A1Walk env = new A1Walk(A1Walk.Config.paper(go1).withTerrain(A1Walk.Terrain.flat()))) {
            env.seed(1);
            float[] obs = new float[A1Walk.OBSERVATION_SIZE], zero = new float[A1Walk.ACTION_SIZE];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            for (int j = 0; j < 12; j++) {
                assertEquals(go1.stand_rad(j), obs[A1Walk.OBS_JOINT_ANGLES + j], 1e-6, "reset to the keyframe, joint " + j);
            }
            double[] p = new double[3];
            for (int t = 0; t < 100; t++) {
                env.step(zero, r);
                assertFalse(r.terminated, "a zero action holds the standing pose, step " + t);
            }
            env.trunkPosition(p);
            // Legs of 0.213 m at thigh 0.7, calf -1.4: 2 * 0.213 cos(0.7) + 0.02 = 0.346 m; the PD law sags a little.
            assertEquals(0.34, p[2], 0.03, "the trunk stands at the pose's height");
            for (int l = 0; l < 4; l++) {
                assertEquals(1f, r.observation[A1Walk.OBS_FOOT_CONTACTS + l], "foot " + l + " on the ground");
            }
        }
    }

    @Test
    void theA1AndTheGo1StandAtDifferentHeightsOnTheSamePose() {
        // The file's model is what runs: the Go1's longer legs lift the same pose higher than the A1's.
        double[] a1 = standingHeight(TestRobots.a1()), go1 = standingHeight(TestRobots.go1());
        assertTrue(go1[2] > a1[2] + 0.015, "Go1 " + go1[2] + " m vs A1 " + a1[2] + " m");
    }

    private static double[] standingHeight(RobotDescription robot) {
        try (A1Walk env = new A1Walk(A1Walk.Config.paper(robot).withTerrain(A1Walk.Terrain.flat()))) {
            env.seed(2);
            float[] obs = new float[A1Walk.OBSERVATION_SIZE], zero = new float[A1Walk.ACTION_SIZE];
            StepResult r = new StepResult(env.spec());
            env.reset(obs);
            for (int t = 0; t < 40; t++) {
                env.step(zero, r);
            }
            double[] p = new double[3];
            env.trunkPosition(p);
            return p;
        }
    }
}
