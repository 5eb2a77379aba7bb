package trot.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.agent.LearnerConfig;
import trot.env.classic.Pendulum;
import trot.io.Checkpoint;
import trot.io.MetricsCsv;
import trot.nn.TanhGaussianPolicy;
import trot.util.Rng;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DroQ learns the pendulum swing-up: with reduced networks (64 x 64, batch 128; the preset's G = 20, dropout,
 * LayerNorm, temperature) it reaches a mean evaluation return of at least -200 (5 deterministic episodes) within
 * 4,000 environment steps, in about 10 s here. The full-size run is documented in docs/learning.md.
 */
class PendulumLearningTest {

    @Test
    void droqLearnsToSwingUp(@TempDir Path out) throws Exception {
        LearnerConfig droq = LearnerConfig.droq().with("hidden", "64,64").with("batch", "128");
        TrainingSettings settings = new TrainingSettings(4000, 1000, 500, 5, 2000, 2, 0, 1);
        Trainer.Summary s;
        try (Pendulum env = new Pendulum(); Pendulum evalEnv = new Pendulum()) {
            s = new Trainer(settings, droq, env, evalEnv, out, false).run(p -> { });
        }
        MetricsCsv.Table evals = MetricsCsv.read(out.resolve("evaluations.csv"));
        double[] returns = evals.column("mean_return");
        System.out.println("pendulum, DroQ 64x64: evaluation returns " + java.util.Arrays.toString(returns));
        assertTrue(returns[0] < -800, "before learning (random phase) the policy should fail: " + returns[0]);
        assertTrue(s.finalEvalReturn() >= -200, "DroQ should reach -200 within 4000 steps, got " + s.finalEvalReturn());

        // The outputs are there and finite.
        MetricsCsv.Table episodes = MetricsCsv.read(out.resolve("episodes.csv"));
        assertEquals(20, episodes.rows().size(), "4000 steps of 200-step episodes");
        for (String c : new String[]{"return", "alpha", "critic_loss", "actor_loss", "entropy", "mean_q", "update_ms"}) {
            double[] v = episodes.column(c);
            for (int i = 5; i < v.length; i++) {           // the first 5 episodes are random actions, no updates
                assertTrue(Double.isFinite(v[i]), c + " of episode " + (i + 1) + " is " + v[i]);
            }
        }
        MetricsCsv.Table qbias = MetricsCsv.read(out.resolve("qbias.csv"));
        assertEquals(2, qbias.rows().size(), "Q-bias at steps 2000 and 4000");
        assertTrue(Double.isFinite(qbias.column("bias_mean")[1]) && qbias.column("pairs")[1] > 0);
        assertNotNull(ImageIO.read(out.resolve("learning_curve.png").toFile()), "learning_curve.png is an image");
        assertTrue(Files.readString(out.resolve("run.txt")).contains("droq"));

        // The saved policy is the trained one: loaded into a fresh network it swings the pendulum up as well.
        Checkpoint ckpt = Checkpoint.read(out.resolve("policy.ckpt"));
        assertEquals("policy", ckpt.meta("kind"));
        TanhGaussianPolicy pi = new TanhGaussianPolicy(3, 1, new int[]{64, 64}, 1, new Rng(0), new Rng(0));
        ckpt.loadInto(pi.params());
        assertEquals(s.finalEvalReturn(), rerun(pi), 1e-3, "the checkpoint reproduces the final evaluation");
    }

    /** The evaluation of {@link Evaluator} with a stand-alone policy: same seed, same 5 episodes. */
    private static double rerun(TanhGaussianPolicy pi) {
        Rng master = new Rng(1);
        master.nextLong();
        master.nextLong();
        long evalSeed = master.nextLong();
        try (Pendulum env = new Pendulum()) {
            env.seed(evalSeed);
            float[] obs = new float[3], action = new float[1];
            trot.env.StepResult r = new trot.env.StepResult(env.spec());
            org.jblas.FloatMatrix o = new org.jblas.FloatMatrix(1, 3);
            double sum = 0;
            for (int e = 0; e < 5; e++) {
                env.reset(obs);
                do {
                    System.arraycopy(obs, 0, o.data, 0, 3);
                    pi.deterministic(o);
                    env.spec().scaleActions(pi.action().data, action);
                    env.step(action, r);
                    sum += r.reward;
                    System.arraycopy(r.observation, 0, obs, 0, 3);
                } while (!r.truncated && !r.terminated);
            }
            return sum / 5;
        }
    }
}
