package trot.agent;

import org.jblas.FloatMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trot.nn.MaskSource;
import trot.nn.Param;
import trot.replay.BatchSource;
import trot.testing.Compare;
import trot.testing.Fixture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three complete environment-step updates of each preset against PyTorch (reference/make_learner_fixtures.py):
 * same initial weights, mini-batches, policy noise, dropout masks and target subsets, injected; every loss, the
 * temperature and every weight of actor, critics and targets compared after each update.
 *
 * <p>Tolerance {@link #TOL} of the largest magnitude in the whole network a tensor belongs to (a one-element
 * critic output bias near zero is judged against its network, not against itself). The fixtures raise the
 * learning rates to 1e-2 and tau to 0.05 so that every term moves far above float32 rounding.
 */
class LearnerReferenceTest {
    static final double TOL = 1e-5;

    static int scalarInt(Fixture f, String name) {
        return Math.round(f.scalar(name));
    }

    static FloatMatrix param(Fixture f, String key, Param p) {
        return p.name.endsWith(".weight") ? f.linearWeight(key) : f.matrix(key);
    }

    static void load(Fixture f, String prefix, List<Param> params) {
        for (Param p : params) {
            FloatMatrix v = param(f, prefix + p.name, p);
            assertEquals(p.value.rows, v.rows, p.name);
            assertEquals(p.value.columns, v.columns, p.name);
            System.arraycopy(v.data, 0, p.value.data, 0, v.length);
        }
    }

    static void compareNetwork(Fixture f, String prefix, List<Param> params) {
        double scale = 0;
        for (Param p : params) {
            for (float v : f.values(prefix + p.name)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (Param p : params) {
            FloatMatrix ref = param(f, prefix + p.name, p);
            Compare.close(prefix + p.name, p.value.data, ref.data, ref.rows, TOL, scale);
        }
    }

    static void compareGradients(Fixture f, String prefix, List<Param> params) {
        double scale = 0;
        for (Param p : params) {
            for (float v : f.values(prefix + p.name)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (Param p : params) {
            FloatMatrix ref = param(f, prefix + p.name, p);
            Compare.close(prefix + p.name, p.grad.data, ref.data, ref.rows, TOL, scale);
        }
    }

    /** A mask source that hands out the given keep masks in order. */
    static final class MaskQueue implements MaskSource {
        final Deque<MaskSource> masks = new ArrayDeque<>();
        final String name;

        MaskQueue(String name) {
            this.name = name;
        }

        @Override
        public int drop(float rate, int rows, int columns, int[] dropped) {
            MaskSource next = masks.poll();
            if (next == null) {
                throw new AssertionError(name + ": the learner drew more dropout masks than the reference");
            }
            return next.drop(rate, rows, columns, dropped);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sac", "redq", "droq"})
    void threeUpdatesMatchPyTorch(String preset) {
        Fixture f = Fixture.load("learner_" + preset + ".bin");
        int obs = scalarInt(f, "cfg.obs"), act = scalarInt(f, "cfg.act"), n = scalarInt(f, "cfg.N");
        int m = scalarInt(f, "cfg.M"), g = scalarInt(f, "cfg.G"), b = scalarInt(f, "cfg.B"), steps = scalarInt(f, "cfg.T");
        boolean dropout = f.scalar("cfg.dropout") > 0;

        LearnerConfig presetConfig = LearnerConfig.preset(preset);
        LearnerConfig c = presetConfig
                .with("hidden", scalarInt(f, "cfg.hidden0") + "," + scalarInt(f, "cfg.hidden1"))
                .with("batch", "" + b)
                .with("dropout", "" + f.scalar("cfg.dropout"))
                .with("actor-lr", "" + f.scalar("cfg.lr_actor"))
                .with("critic-lr", "" + f.scalar("cfg.lr_critic"))
                .with("temperature-lr", "" + f.scalar("cfg.lr_temp"))
                .with("tau", "" + f.scalar("cfg.tau"))
                .with("threads", "1");
        // The preset's structure is what the reference used (only rates, tau and the dropout rate are overridden).
        assertEquals(presetConfig.critics(), n, "N");
        assertEquals(presetConfig.targetCritics(), m, "M");
        assertEquals(presetConfig.updatesPerStep(), g, "G");
        assertEquals(presetConfig.criticLayerNorm(), f.scalar("cfg.layernorm") > 0, "LayerNorm");
        assertEquals(presetConfig.criticDropout() > 0, dropout, "dropout");
        assertEquals(presetConfig.discount(), f.scalar("cfg.gamma"), "gamma");
        assertEquals(presetConfig.initialTemperature(), f.scalar("cfg.init_temperature"), 1e-7f, "initial temperature");
        assertEquals(presetConfig.targetEntropy(act), f.scalar("cfg.target_entropy"), 1e-7f, "target entropy");

        try (Learner learner = new Learner(c, obs, act, 0)) {
            load(f, "init.actor.", learner.policyParams());
            for (int i = 0; i < n; i++) {
                load(f, "init.critic" + i + ".", learner.criticParams(i));
                Param.copyValues(learner.criticParams(i), learner.targetCriticParams(i));
            }
            learner.logAlpha().value.data[0] = f.scalar("init.log_alpha");

            // Everything random, in the order the reference drew it.
            Deque<FloatMatrix> noises = new ArrayDeque<>();
            Deque<int[]> subsets = new ArrayDeque<>();
            Deque<String> batchPrefixes = new ArrayDeque<>();
            MaskQueue[] online = new MaskQueue[n], target = new MaskQueue[n];
            for (int i = 0; i < n; i++) {
                online[i] = new MaskQueue("critic " + i);
                target[i] = new MaskQueue("target critic " + i);
                learner.useCriticMasks(i, online[i], target[i]);
            }
            for (int t = 1; t <= steps; t++) {
                for (int k = 1; k <= g; k++) {
                    String p = "t" + t + ".k" + k + ".";
                    batchPrefixes.add(p);
                    noises.add(f.matrix(p + "noise_next"));
                    float[] s = f.values(p + "subset");
                    int[] subset = new int[m];
                    for (int j = 0; j < m; j++) {
                        subset[j] = Math.round(s[j]);
                    }
                    subsets.add(subset);
                    if (dropout) {
                        for (int i : subset) {
                            target[i].masks.add(MaskSource.fixed(f.matrix(p + "target" + i + ".keep0")));
                            target[i].masks.add(MaskSource.fixed(f.matrix(p + "target" + i + ".keep1")));
                        }
                        for (int i = 0; i < n; i++) {
                            online[i].masks.add(MaskSource.fixed(f.matrix(p + "critic" + i + ".keep0")));
                            online[i].masks.add(MaskSource.fixed(f.matrix(p + "critic" + i + ".keep1")));
                        }
                    }
                }
                noises.add(f.matrix("t" + t + ".actor.noise"));
                if (dropout) {
                    for (int i = 0; i < n; i++) {
                        online[i].masks.add(MaskSource.fixed(f.matrix("t" + t + ".actor.critic" + i + ".keep0")));
                        online[i].masks.add(MaskSource.fixed(f.matrix("t" + t + ".actor.critic" + i + ".keep1")));
                    }
                }
            }
            learner.useNoise(out -> {
                FloatMatrix next = noises.poll();
                assertTrue(next != null, "the learner drew more noise than the reference");
                System.arraycopy(next.data, 0, out.data, 0, out.length);
            });
            learner.useSubsets((total, mm, out) -> System.arraycopy(subsets.poll(), 0, out, 0, mm));
            BatchSource batches = out -> {
                String p = batchPrefixes.poll();
                copy(f.matrix(p + "obs"), out.observations);
                copy(f.matrix(p + "action"), out.actions);
                copy(f.matrix(p + "reward"), out.rewards);
                copy(f.matrix(p + "next_obs"), out.nextObservations);
                copy(f.matrix(p + "mask"), out.masks);
            };

            for (int t = 1; t <= steps; t++) {
                UpdateReport r = learner.update(batches);
                String p = "t" + t + ".";
                double criticLoss = 0;
                for (int k = 1; k <= g; k++) {
                    for (int i = 0; i < n; i++) {
                        criticLoss += f.scalar(p + "k" + k + ".critic_loss" + i);
                    }
                }
                criticLoss /= (double) g * n;
                Compare.close(p + "critic_loss (mean)", new float[]{(float) r.criticLoss}, new float[]{(float) criticLoss}, 1, TOL);
                Compare.close(p + "k" + g + ".y", learner.lastTargets(), f.matrix(p + "k" + g + ".y"), TOL);
                Compare.close(p + "actor_loss", new float[]{(float) r.actorLoss}, new float[]{f.scalar(p + "actor_loss")}, 1, TOL);
                Compare.close(p + "entropy", new float[]{(float) r.entropy}, new float[]{f.scalar(p + "entropy")}, 1, TOL);
                Compare.close(p + "alpha_loss", new float[]{(float) r.temperatureLoss}, new float[]{f.scalar(p + "alpha_loss")}, 1, TOL);
                Compare.close(p + "alpha", new float[]{(float) r.alpha}, new float[]{f.scalar(p + "alpha")}, 1, TOL);
                // Gradients before the Adam steps: Adam is nearly scale-invariant, so a wrongly scaled gradient
                // (a sum over the critics where the mean belongs) would hardly show in the parameters.
                compareGradients(f, p + "actor.grad.", learner.policyParams());
                for (int i = 0; i < n; i++) {
                    compareGradients(f, p + "k" + g + ".critic" + i + ".grad.", learner.criticParams(i));
                }
                compareNetwork(f, "after" + t + ".actor.", learner.policyParams());
                for (int i = 0; i < n; i++) {
                    compareNetwork(f, "after" + t + ".critic" + i + ".", learner.criticParams(i));
                    compareNetwork(f, "after" + t + ".target" + i + ".", learner.targetCriticParams(i));
                }
                Compare.close("after" + t + ".log_alpha", learner.logAlpha().value.data,
                        new float[]{f.scalar("after" + t + ".log_alpha")}, 1, TOL);
            }
            assertTrue(noises.isEmpty() && subsets.isEmpty() && batchPrefixes.isEmpty(),
                    "the learner used less noise, fewer subsets or fewer batches than the reference");
            for (int i = 0; i < n; i++) {
                assertTrue(online[i].masks.isEmpty() && target[i].masks.isEmpty(),
                        "critic " + i + " used fewer dropout masks than the reference");
            }
        }
    }

    static void copy(FloatMatrix from, FloatMatrix to) {
        assertEquals(to.rows, from.rows);
        assertEquals(to.columns, from.columns);
        System.arraycopy(from.data, 0, to.data, 0, from.length);
    }
}
