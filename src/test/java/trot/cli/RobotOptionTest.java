package trot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.env.sim.Mujoco;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static trot.testing.Commands.run;

/** {@code --robot FILE} on train and eval as a user types it: another quadruped trains; bad files are refused clearly. */
class RobotOptionTest {
    @Test
    void theGo1TrainsAndIsEvaluatedWithTheSameCommands(@TempDir Path dir) throws Exception {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        Path out = dir.resolve("go1");
        StringBuilder log = new StringBuilder();
        int code = run(log, "train", "--robot", "hardware/go1/go1.robot", "--steps", "200", "--random-steps", "100",
                "--eval-interval", "200", "--eval-episodes", "1", "--set", "hidden=32,32", "--set", "batch=32",
                "--set", "utd=1", "--no-progress", "--out", out.toString());
        assertEquals(0, code, log.toString());
        String runTxt = Files.readString(out.resolve("run.txt"));
        assertTrue(runTxt.contains("robot: Unitree Go1 (hardware/go1/go1.robot"), runTxt);
        StringBuilder eval = new StringBuilder();
        code = run(eval, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--robot", "hardware/go1/go1.robot",
                "--episodes", "1");
        assertEquals(0, code, eval.toString());
        assertTrue(eval.toString().contains("robot Unitree Go1 (hardware/go1/go1.robot)"), eval.toString());
        assertTrue(!eval.toString().contains("warning"), eval.toString());
        StringBuilder onA1 = new StringBuilder();
        code = run(onA1, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--episodes", "1", "--out",
                dir.resolve("on-a1").toString());
        assertEquals(0, code, onA1.toString());
        assertTrue(onA1.toString().contains("warning: the policy's run.txt says it was trained on Unitree Go1"),
                "a Go1 policy evaluated on the default A1 is pointed out: " + onA1);
    }

    @Test
    void aBadRobotFileOrAModelWithoutItsNamesIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        StringBuilder log = new StringBuilder();
        assertEquals(2, run(log, "train", "--robot", dir.resolve("none.robot").toString(), "--out", dir.resolve("a").toString()));
        assertTrue(log.toString().contains("no robot file"), log.toString());

        Path bad = dir.resolve("dog.robot");
        Files.writeString(bad, Files.readString(Path.of("hardware/go1/go1.robot")).replace("kd_Nm_s_per_rad", "kd"));
        log.setLength(0);
        assertEquals(2, run(log, "train", "--robot", bad.toString(), "--out", dir.resolve("b").toString()));
        assertTrue(log.toString().contains("unknown key 'kd'") && log.toString().contains("missing kd_Nm_s_per_rad, hardware.kd_Nm_s_per_rad") && log.toString().contains("'hardware.kd' (did you mean 'hardware.kd_Nm_s_per_rad'?)"),
                log.toString());

        Path model = dir.resolve("go1-renamed.xml");
        Files.writeString(model, Files.readString(Path.of("hardware/go1/go1.xml")).replace("\"FR_hip_joint\"", "\"FR_abad\""));
        log.setLength(0);
        assertEquals(2, run(log, "train", "--robot", "hardware/go1/go1.robot", "--model", model.toString(), "--out",
                dir.resolve("c").toString()));
        assertTrue(log.toString().contains("no hinge joint FR_hip_joint") && log.toString().contains("FR_abad"), log.toString());
        assertTrue(!Files.exists(dir.resolve("c/run.txt")), "nothing written");

        log.setLength(0);
        assertEquals(2, run(log, "train", "-e", "pendulum", "--robot", "hardware/go1/go1.robot", "--out", dir.resolve("d").toString()));
        assertTrue(log.toString().contains("the pendulum has no robot"), log.toString());
    }
}
