package trot.agent;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import trot.nn.Param;
import trot.replay.Batch;
import trot.replay.BatchSource;
import trot.replay.ReplayBuffer;
import trot.util.Rng;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnerTest {
    static final int OBS = 5, ACT = 2;

    /** A small configuration of the given preset, so that tests run in milliseconds. */
    /** Skips a oneDNN precision where libtrotdnnl.so is missing, unless CI requires it (then the test fails). */
    static void assumeProductsAvailable(String precision) {
        if (trot.blas.Products.parse(precision).usesOnednn()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(trot.blas.Onednn.available()
                    || System.getenv("TROT_REQUIRE_ONEDNN") != null, "oneDNN not loaded");
        }
    }

    static LearnerConfig small(String preset, int threads) {
        return LearnerConfig.preset(preset).with("hidden", "32,32").with("batch", "16").with("threads", "" + threads);
    }

    static ReplayBuffer filledReplay(long seed, int transitions) {
        ReplayBuffer replay = new ReplayBuffer(transitions, OBS, ACT, seed);
        Rng rng = new Rng(seed + 1);
        float[] s = new float[OBS], a = new float[ACT], s2 = new float[OBS];
        for (int t = 0; t < transitions; t++) {
            rng.fillGaussian(s, 0, OBS);
            rng.fillUniform(a, 0, ACT, -1f, 1f);
            rng.fillGaussian(s2, 0, OBS);
            replay.add(s, a, (float) rng.nextGaussian(), s2, rng.nextFloat() < 0.1f);
        }
        return replay;
    }

    @Test
    void subsetsAreDistinctUniformAndChangeBetweenUpdates() {
        LearnerConfig redq = small("redq", 1).with("utd", "5");
        try (Learner learner = new Learner(redq, OBS, ACT, 1)) {
            SubsetSource drawn = learner.subsetSource();
            List<int[]> seen = new ArrayList<>();
            learner.useSubsets((n, m, out) -> {
                drawn.choose(n, m, out);
                seen.add(out.clone());
            });
            ReplayBuffer replay = filledReplay(2, 200);
            for (int u = 0; u < 20; u++) {
                learner.update(replay);
            }
            assertEquals(100, seen.size(), "one subset per critic update (G = 5, 20 environment steps)");
            Set<String> distinctSubsets = new HashSet<>();
            int[] counts = new int[10];
            for (int[] s : seen) {
                assertEquals(2, s.length);
                assertNotEquals(s[0], s[1], "drawn without replacement");
                assertTrue(s[0] >= 0 && s[0] < 10 && s[1] >= 0 && s[1] < 10);
                distinctSubsets.add(Math.min(s[0], s[1]) + "," + Math.max(s[0], s[1]));
                counts[s[0]]++;
                counts[s[1]]++;
            }
            assertTrue(distinctSubsets.size() > 20, "subsets change between updates: only " + distinctSubsets.size()
                    + " distinct pairs in 100 draws");
            for (int c : counts) {
                assertTrue(c > 5, "every critic is drawn now and then: counts " + java.util.Arrays.toString(counts));
            }
        }
    }

    @Test
    void targetsAreEvaluatedOnTheirCriticsOwnWorkerWhereTheSubsetAllows() {
        int[] order = new int[2];
        boolean[] taken = new boolean[2];
        Learner.orderByWorker(new int[]{1, 0}, 2, order, taken);
        assertArrayEquals(new int[]{0, 1}, order, "DroQ's reversed subset: each critic on its own worker");
        Learner.orderByWorker(new int[]{0, 1}, 2, order, taken);
        assertArrayEquals(new int[]{0, 1}, order);
        Learner.orderByWorker(new int[]{7, 4}, 2, order, taken);
        assertArrayEquals(new int[]{4, 7}, order, "REDQ, one even and one odd critic");
        Learner.orderByWorker(new int[]{3, 7}, 2, order, taken);
        assertArrayEquals(new int[]{3, 7}, order, "both odd: the subset's own order, both still evaluated");
        Learner.orderByWorker(new int[]{1, 0}, 1, order, taken);
        assertArrayEquals(new int[]{1, 0}, order, "one worker: the subset's order");
        int[] big = new int[5];
        Learner.orderByWorker(new int[]{9, 2, 5, 4, 6}, 2, big, new boolean[5]);
        assertArrayEquals(new int[]{2, 9, 4, 5, 6}, big, "a permutation of the subset, even slots even where possible");
    }

    @Test
    void chooseDistinctCoversAllPairsUniformly() {
        Rng rng = new Rng(3);
        int[] out = new int[2];
        int[][] pairs = new int[4][4];
        for (int t = 0; t < 60_000; t++) {
            Learner.chooseDistinct(rng, 4, 2, out);
            assertNotEquals(out[0], out[1]);
            pairs[out[0]][out[1]]++;
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if (i != j) {
                    assertEquals(5000, pairs[i][j], 5 * Math.sqrt(5000), "ordered pair " + i + "," + j);
                }
            }
        }
    }

    /** One batch: rows alternate between a true termination (mask 0) and a time-limit truncation (mask 1). */
    static BatchSource terminalAndTruncated(Rng rng) {
        return out -> {
            rng.fillGaussian(out.observations.data, 0, out.observations.length);
            rng.fillUniform(out.actions.data, 0, out.actions.length, -1f, 1f);
            rng.fillGaussian(out.nextObservations.data, 0, out.nextObservations.length);
            for (int b = 0; b < out.size; b++) {
                out.rewards.data[b] = 0.25f * b;
                out.masks.data[b] = b % 2 == 0 ? 0f : 1f;
            }
        };
    }

    @Test
    void terminalTransitionsDoNotBootstrapAndTruncatedOnesDo() {
        LearnerConfig sac = small("sac", 1);
        try (Learner learner = new Learner(sac, OBS, ACT, 4)) {
            BatchSource source = terminalAndTruncated(new Rng(5));
            learner.update(source);
            FloatMatrix y = learner.lastTargets();
            FloatMatrix logp = learner.lastNextLogProbs();
            float alpha0 = sac.initialTemperature();
            for (int b = 0; b < sac.batchSize(); b++) {
                float r = 0.25f * b;
                if (b % 2 == 0) {
                    assertEquals(r, y.data[b], 0f, "row " + b + " is terminal: y must be the reward alone");
                } else {
                    float qmin = Math.min(learner.critic(0).targetQ().data[b], learner.critic(1).targetQ().data[b]);
                    float expected = r + sac.discount() * (qmin - alpha0 * logp.data[b]);
                    assertEquals(expected, y.data[b], 1e-5f, "row " + b + " is truncated: y = r + gamma (min Q' - alpha log pi')");
                    assertNotEquals(r, y.data[b], "a truncated row must bootstrap");
                }
            }
        }
    }

    static List<float[]> snapshot(Learner l) {
        List<float[]> all = new ArrayList<>();
        for (Param p : l.policyParams()) {
            all.add(p.value.data.clone());
        }
        for (int i = 0; i < l.config().critics(); i++) {
            for (Param p : l.criticParams(i)) {
                all.add(p.value.data.clone());
            }
            for (Param p : l.targetCriticParams(i)) {
                all.add(p.value.data.clone());
            }
        }
        all.add(l.logAlpha().value.data.clone());
        return all;
    }

    @Test
    void gatheringBatchesInParallelGivesBitwiseWhatSerialSamplingGives() {
        List<List<float[]>> runs = new ArrayList<>();
        for (boolean split : new boolean[]{true, false}) {
            try (Learner learner = new Learner(small("droq", 2).with("utd", "4"), OBS, ACT, 7)) {
                ReplayBuffer replay = filledReplay(8, 300);
                trot.replay.BatchSource serial = replay::sample; // only sample(): the learner cannot split it
                for (int u = 0; u < 5; u++) {
                    learner.update(split ? replay : serial);
                }
                runs.add(snapshot(learner));
            }
        }
        for (int k = 0; k < runs.get(0).size(); k++) {
            assertArrayEquals(runs.get(0).get(k), runs.get(1).get(k), "tensor " + k + " differs");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fp32", "fp32-onednn", "bf16"})
    void twoThreadsGiveBitwiseTheSameResultsAsOne(String precision) {
        assumeProductsAvailable(precision);
        // utd 4 and 2 workers: the actor's forward after the critic updates; utd 3 and SAC's 1: in the sampling
        // phase, on the worker the sampling tasks leave idle. Either way the same bits as one thread.
        for (String preset : new String[]{"droq:4", "redq:4", "droq:3", "sac:1"}) {
            List<List<float[]>> runs = new ArrayList<>();
            for (int threads : new int[]{1, 2}) {
                LearnerConfig c = small(preset.split(":")[0], threads).with("utd", preset.split(":")[1])
                        .with("precision", precision);
                try (Learner learner = new Learner(c, OBS, ACT, 7)) {
                    ReplayBuffer replay = filledReplay(8, 300);
                    for (int u = 0; u < 5; u++) {
                        learner.update(replay);
                    }
                    float[] action = new float[ACT];
                    learner.act(new float[OBS], action, false);
                    List<float[]> s = snapshot(learner);
                    s.add(action);
                    runs.add(s);
                }
            }
            for (int k = 0; k < runs.get(0).size(); k++) {
                assertArrayEquals(runs.get(0).get(k), runs.get(1).get(k), preset + ": tensor " + k + " differs between 1 and 2 threads");
            }
        }
    }

    @Test
    void sameSeedSameNumbersDifferentSeedDifferentNumbers() {
        List<List<float[]>> runs = new ArrayList<>();
        for (long seed : new long[]{11, 11, 12}) {
            try (Learner learner = new Learner(small("droq", 2).with("utd", "3"), OBS, ACT, seed)) {
                ReplayBuffer replay = filledReplay(seed, 100);
                for (int u = 0; u < 3; u++) {
                    learner.update(replay);
                }
                runs.add(snapshot(learner));
            }
        }
        for (int k = 0; k < runs.get(0).size(); k++) {
            assertArrayEquals(runs.get(0).get(k), runs.get(1).get(k));
        }
        assertNotEquals(java.util.Arrays.toString(runs.get(0).get(0)), java.util.Arrays.toString(runs.get(2).get(0)));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fp32", "fp32-onednn", "bf16"})
    void anEnvironmentStepUpdateAllocatesNothingOnAnyThread(String precision) {
        assumeProductsAvailable(precision);
        for (String utd : new String[]{"4", "3"}) {     // 3: the actor's forward runs in the sampling phase
        try (Learner learner = new Learner(small("droq", 2).withAll(java.util.Map.of("utd", utd, "precision", precision)),
                OBS, ACT, 13)) {
            ReplayBuffer replay = filledReplay(14, 200);
            float[] obs = new float[OBS], action = new float[ACT];
            Runnable step = () -> {
                learner.update(replay);
                learner.act(obs, action, false);
                learner.act(obs, action, true);
            };
            step.run();
            long worker = -1;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("trot-learner")) {
                    worker = Math.max(worker, t.getId());   // the newest: this learner's
                }
            }
            assertTrue(worker >= 0, "the learner should have started a worker thread");
            long[] windows = trot.testing.Allocations.windows(step, 300, 50, 4, worker);
            assertEquals(0, java.util.Arrays.stream(windows).min().orElseThrow(),
                    "utd " + utd + ": updates and actions, on the calling and the worker thread: "
                            + trot.testing.Allocations.describe(windows, 50));
        }
        }
    }

    @Test
    void actChecksItsArguments() {
        try (Learner learner = new Learner(small("sac", 1), OBS, ACT, 1)) {
            assertThrows(IllegalArgumentException.class, () -> learner.act(new float[OBS + 1], new float[ACT], true));
            float[] a = new float[ACT];
            assertTrue(Float.isNaN(learner.act(new float[OBS], a, true)));
            assertTrue(Float.isFinite(learner.act(new float[OBS], a, false)));
            for (float v : a) {
                assertTrue(v >= -1f && v <= 1f);
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fp32", "fp32-onednn", "bf16"})
    void thePrecisionReachesEveryNetworkOfTheUpdate(String precision) {
        assumeProductsAvailable(precision);
        try (Learner learner = new Learner(small("redq", 2).with("precision", precision), OBS, ACT, 1)) {
            java.util.Map<String, String> by = learner.productsByNetwork();
            assertTrue(by.keySet().containsAll(List.of("policy", "sampler0", "sampler1", "critic0.online",
                    "critic0.target", "critic9.online", "critic9.target")), by.keySet().toString());
            for (java.util.Map.Entry<String, String> e : by.entrySet()) {
                assertEquals(precision, e.getValue(), e.getKey());
            }
        }
    }

    @Test
    void actGivesTheMeanOrASampleForTheObservationGiven() {
        try (Learner learner = new Learner(small("sac", 1), OBS, ACT, 1)) {
            float[] s1 = {0.5f, -1f, 2f, 0.1f, -0.3f}, s2 = {-2f, 1f, 0f, 1.5f, 0.7f};
            float[] a = new float[ACT], b = new float[ACT];
            learner.act(s1, a, true);
            learner.act(s1, b, true);
            assertArrayEquals(a, b, "the deterministic action repeats");
            assertNotEquals(0f, a[0], "the action was written");
            learner.act(s2, b, true);
            assertNotEquals(a[0], b[0], "another observation, another action");
            float[] c = new float[ACT], d = new float[ACT];
            float lp1 = learner.act(s1, c, false), lp2 = learner.act(s1, d, false);
            assertNotEquals(c[0], d[0], "two samples differ");
            assertNotEquals(a[0], c[0], "a sample is not the mean");
            assertNotEquals(lp1, lp2);
        }
    }

    @Test
    void theReportsPhaseTimesAddUpToAtMostTheWhole() {
        try (Learner learner = new Learner(small("droq", 1).with("utd", "3"), OBS, ACT, 1)) {
            ReplayBuffer replay = filledReplay(2, 100);
            UpdateReport r = learner.update(replay);
            double[] phases = {r.samplingSeconds, r.targetSeconds, r.criticSeconds, r.actorSeconds};
            double sum = 0;
            for (double t : phases) {
                assertTrue(t > 0 && t < 60, "phase time " + t + " s");
                sum += t;
            }
            assertTrue(r.seconds > 0 && sum <= r.seconds * (1 + 1e-9) + 1e-9, sum + " s of phases in " + r.seconds + " s");
            assertTrue(sum > 0.5 * r.seconds, "the phases cover most of the update: " + sum + " of " + r.seconds);
        }
    }
}
