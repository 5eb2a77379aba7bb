package trot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.env.sim.Mujoco;
import trot.io.MetricsCsv;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static trot.testing.Commands.run;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The commands as a user runs them: exit codes, messages, and what they write. */
class CommandLineTest {

    static void assertFinite(Path csv, String... columns) throws Exception {
        MetricsCsv.Table t = MetricsCsv.read(csv);
        assertTrue(!t.rows().isEmpty(), csv + " has rows");
        for (String c : columns) {
            double[] v = t.column(c);
            assertTrue(Double.isFinite(v[v.length - 1]), csv.getFileName() + " " + c + " = " + v[v.length - 1]);
        }
    }

    @Test
    void resumeContinuesTheRecordedRunAndRefusesContradictingFlags(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p");
        String[] run = {"train", "-e", "pendulum", "--steps", "400", "--random-steps", "100", "--eval-interval", "200",
                "--eval-episodes", "1", "--set", "hidden=16,16", "--set", "batch=16", "--set", "utd=1",
                "--snapshot-every", "150", "--no-progress", "--out", out.toString()};
        StringBuilder log = new StringBuilder();
        assertEquals(0, run(log, run), log.toString());
        assertTrue(Files.exists(out.resolve("state.snap")) && Files.exists(out.resolve("replay.log")), "snapshot and log");
        byte[] snap = Files.readAllBytes(out.resolve("state.snap"));

        StringBuilder refused = new StringBuilder();
        assertEquals(2, run(refused, "train", "--resume", out.toString(), "--steps", "900", "--set", "utd=3", "--seed", "4"));
        assertTrue(refused.toString().contains("--steps 900 (the run has 400)") && refused.toString().contains("--set utd=3 (the run has 1)")
                && refused.toString().contains("--seed 4 (the run has 1)"), refused.toString());
        assertArrayEquals(snap, Files.readAllBytes(out.resolve("state.snap")), "a refused resume touches nothing");

        StringBuilder missing = new StringBuilder();
        assertEquals(2, run(missing, "train", "--resume", dir.resolve("nothing").toString()));
        assertTrue(missing.toString().contains("state.snap does not exist"), missing.toString());

        StringBuilder resumed = new StringBuilder();
        assertEquals(0, run(resumed, "train", "--resume", out.toString(), "--set", "threads=2", "--no-progress"), resumed.toString());
        assertTrue(resumed.toString().contains("resuming " + out.toAbsolutePath() + " at step 400 of 400"), resumed.toString());
    }

    @Test
    void smokeRunOnTheWalkingTask(@TempDir Path dir) throws Exception {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        Path out = dir.resolve("a1");
        StringBuilder log = new StringBuilder();
        int code = run(log, "train", "--env", "a1", "--model", "hardware/a1/a1.xml", "--steps", "300", "--random-steps", "100",
                "--eval-interval", "300", "--eval-episodes", "1", "--set", "hidden=32,32", "--set", "batch=32", "--set", "utd=2",
                "--no-progress", "--out", out.toString());
        assertEquals(0, code, log.toString());
        for (String f : new String[]{"run.txt", "episodes.csv", "evaluations.csv", "qbias.csv", "policy.ckpt",
                "learning_curve.png", "forward_speed.png", "eval_speed.png", "gait.png", "eval_trace.csv"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f + " was written");
        }
        assertFinite(out.resolve("evaluations.csv"), "mean_return", "mean_forward_speed_mps", "mean_yaw_drift_rad", "falls");
        assertFinite(out.resolve("episodes.csv"), "return", "length");
        assertFinite(out.resolve("eval_trace.csv"), "time_s", "forward_speed_mps", "yaw_rad");
        assertNotNull(ImageIO.read(out.resolve("gait.png").toFile()));

        StringBuilder eval = new StringBuilder();
        code = run(eval, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--model", "hardware/a1/a1.xml",
                "--episodes", "1");
        assertEquals(0, code, eval.toString());
        assertTrue(eval.toString().contains("mean forward speed"), eval.toString());
        assertTrue(Files.exists(out.resolve("eval/gait.png")));

        StringBuilder options = new StringBuilder();
        code = run(options, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--episodes", "1", "--out",
                dir.resolve("eval-options").toString(), "--set", "terrain=reference", "--set", "action_filter=butterworth",
                "--set", "reward=paper-literal");
        assertEquals(0, code, "the task options reach the environment: " + options);
        options.setLength(0);
        assertEquals(2, run(options, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--set", "utd=3"));
        assertTrue(options.toString().contains("task options only"), options.toString());
    }

    @Test
    void theWalkingTaskTrainsOnTheVelocityEstimateAndTheEstimatorIsMeasured(@TempDir Path dir) throws Exception {
        assumeTrue(Mujoco.available(), Mujoco.unavailableReason());
        Path out = dir.resolve("a1-est");
        StringBuilder log = new StringBuilder();
        int code = run(log, "train", "--env", "a1", "--model", "hardware/a1/a1.xml", "--steps", "200", "--random-steps", "100",
                "--eval-interval", "200", "--eval-episodes", "1", "--set", "hidden=32,32", "--set", "batch=32", "--set", "utd=1",
                "--set", "velocity=estimated", "--no-progress", "--out", out.toString());
        assertEquals(0, code, log.toString());
        assertTrue(Files.readString(out.resolve("eval_trace.csv")).contains("estimated_forward_speed_mps"), "trace has the estimate");
        StringBuilder check = new StringBuilder();
        code = run(check, "estimator-check", "--policy", out.resolve("policy.ckpt").toString(), "--model", "hardware/a1/a1.xml",
                "--episodes", "1", "--out", out.toString());
        assertEquals(0, code, check.toString());
        assertTrue(check.toString().contains("all steps:     RMSE"), check.toString());
        assertFinite(out.resolve("estimator_episodes.csv"), "rmse_mps", "bias_mps", "max_error_mps");
    }

    @Test
    void pendulumTrainsInRealTimeAndResumes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rt");
        String[] common = {"--env", "pendulum", "--realtime", "--rate-hz", "400", "--steps", "300", "--random-steps",
                "50", "--eval-interval", "0", "--eval-episodes", "1", "--snapshot-every", "100", "--set", "hidden=16,16",
                "--set", "batch=16", "--set", "utd=2", "--no-progress"};
        StringBuilder log = new StringBuilder();
        String[] args = new String[common.length + 3];
        args[0] = "train";
        System.arraycopy(common, 0, args, 1, common.length);
        args[common.length + 1] = "--out";
        args[common.length + 2] = out.toString();
        assertEquals(0, run(log, args), log.toString());
        MetricsCsv.Table control = MetricsCsv.read(out.resolve("control.csv"));
        assertEquals(1, control.rows().size(), "one 200-step episode ended within 300 steps");
        assertTrue(control.column("utd")[0] > 0 && control.column("utd")[0] <= 2);
        assertTrue(Files.exists(out.resolve("jitter.png")));
        assertEquals("400.0", trot.io.Snapshot.read(out.resolve("state.snap")).meta("run.realtime_hz"));
        StringBuilder resumed = new StringBuilder();
        assertEquals(0, run(resumed, "train", "--resume", out.toString(), "--no-progress"), resumed.toString());

        StringBuilder a1 = new StringBuilder();
        assertEquals(2, run(a1, "train", "--env", "a1", "--realtime", "--out", dir.resolve("a1").toString()));
        assertTrue(a1.toString().contains("--realtime runs the pendulum"), a1.toString());
    }

    @Test
    void pendulumTrainAndEval(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p");
        StringBuilder log = new StringBuilder();
        int code = run(log, "train", "--env", "pendulum", "--agent", "sac", "--steps", "400", "--random-steps", "200",
                "--eval-interval", "200", "--eval-episodes", "1", "--set", "hidden=16,16", "--set", "batch=16",
                "--no-progress", "--out", out.toString());
        assertEquals(0, code, log.toString());
        assertEquals(2, MetricsCsv.read(out.resolve("evaluations.csv")).rows().size());
        StringBuilder again = new StringBuilder();
        assertEquals(2, run(again, "train", "--env", "pendulum", "--steps", "10", "--random-steps", "10", "--no-progress",
                "--out", out.toString()), "existing results are not overwritten");
        assertTrue(again.toString().contains("--force"), again.toString());
        StringBuilder eval = new StringBuilder();
        assertEquals(0, run(eval, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--episodes", "2"));
        assertTrue(eval.toString().contains("terminated episodes 0 of 2"), eval.toString());
        byte[] first = Files.readAllBytes(out.resolve("eval/evaluation.csv"));
        StringBuilder evalAgain = new StringBuilder();
        assertEquals(2, run(evalAgain, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--episodes", "3"),
                "an earlier evaluation is not replaced without --force");
        assertTrue(evalAgain.toString().contains("evaluation.csv") && evalAgain.toString().contains("--force"), evalAgain.toString());
        assertArrayEquals(first, Files.readAllBytes(out.resolve("eval/evaluation.csv")));
        assertEquals(0, run(evalAgain, "eval", "--policy", out.resolve("policy.ckpt").toString(), "--episodes", "3", "--force"));
        assertEquals(3, MetricsCsv.read(out.resolve("eval/evaluation.csv")).rows().size());
        StringBuilder notAPolicy = new StringBuilder();
        assertEquals(2, run(notAPolicy, "eval", "--policy", out.resolve("evaluations.csv").toString()));
        assertTrue(notAPolicy.toString().contains("trot eval:"), notAPolicy.toString());
    }

    @Test
    void badArgumentsAreExplained(@TempDir Path dir) {
        StringBuilder log = new StringBuilder();
        assertEquals(2, run(log, "train", "--agent", "ppo", "--out", dir.toString()));
        assertTrue(log.toString().contains("unknown agent preset 'ppo'"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "cartpole", "--out", dir.toString()));
        assertTrue(log.toString().contains("unknown environment 'cartpole'"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "pendulum", "--set", "utd=zero", "--out", dir.toString()));
        assertTrue(log.toString().contains("utd=zero is not a valid number"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "a1", "--set", "terrain=hills", "--out", dir.toString()));
        assertTrue(log.toString().contains("terrain=hills") && log.toString().contains("mix, flat, reference"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "pendulum", "--set", "action_filter=butterworth", "--out", dir.toString()));
        assertTrue(log.toString().contains("no task options"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "pendulum", "--set", "velocity=estimated", "--out", dir.toString()));
        assertTrue(log.toString().contains("no task options"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "estimator-check", "--policy", dir.resolve("missing.ckpt").toString(), "--episodes", "0"));
        assertTrue(log.toString().contains("--episodes must be at least 1"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "eval", "--policy", dir.resolve("missing.ckpt").toString()));
        assertTrue(log.toString().contains("no checkpoint at"), log.toString());
        log.setLength(0);
        assertEquals(2, run(log, "train", "--env", "a1", "--model", dir.resolve("nope.xml").toString(), "--out", dir.toString()));
        assertTrue(log.toString().contains("does not exist") || log.toString().contains("MuJoCo"), log.toString());
    }
}
