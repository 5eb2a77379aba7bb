package trot.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trot.agent.LearnerConfig;
import trot.env.StepResult;
import trot.env.classic.Pendulum;
import trot.io.MetricsCsv;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    static final LearnerConfig TINY = LearnerConfig.droq().with("hidden", "16,16").with("batch", "32").with("utd", "2");

    static Trainer.Summary train(Path out, long seed, int threads) throws Exception {
        return train(out, seed, threads, 400);
    }

    static Trainer.Summary train(Path out, long seed, int threads, int qBiasInterval) throws Exception {
        TrainingSettings settings = new TrainingSettings(800, 200, 400, 2, qBiasInterval, 1, 0, seed);
        try (Pendulum env = new Pendulum(); Pendulum evalEnv = new Pendulum()) {
            return new Trainer(settings, TINY.with("threads", "" + threads), env, evalEnv, out, false).run(p -> { });
        }
    }

    /** Every column but the timings. */
    static List<double[]> numbers(Path csv, String... timing) throws Exception {
        MetricsCsv.Table t = MetricsCsv.read(csv);
        List<String> skip = List.of(timing);
        List<double[]> out = new java.util.ArrayList<>();
        for (String c : t.columns()) {
            if (!skip.contains(c)) {
                out.add(t.column(c));
            }
        }
        return out;
    }

    @Test
    void sameSeedSameNumbersWhateverTheThreads(@TempDir Path dir) throws Exception {
        train(dir.resolve("a"), 3, 1);
        train(dir.resolve("b"), 3, 2);
        String[] timing = {"update_ms", "steps_per_second", "elapsed_s"};
        for (String f : new String[]{"episodes.csv", "evaluations.csv", "qbias.csv"}) {
            List<double[]> a = numbers(dir.resolve("a").resolve(f), timing), b = numbers(dir.resolve("b").resolve(f), timing);
            assertEquals(a.size(), b.size());
            for (int c = 0; c < a.size(); c++) {
                assertArrayEquals(a.get(c), b.get(c), f + " column " + c);
            }
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/policy.ckpt")).length > 0 ? strip(dir.resolve("a/policy.ckpt")) : null,
                strip(dir.resolve("b/policy.ckpt")), "the same policy");
    }

    @Test
    void theQBiasDiagnosticDoesNotChangeTraining(@TempDir Path dir) throws Exception {
        train(dir.resolve("with"), 5, 1, 200);
        train(dir.resolve("without"), 5, 1, 0);
        assertEquals(3, MetricsCsv.read(dir.resolve("with/qbias.csv")).rows().size(), "the diagnostic ran at 400, 600, 800");
        String[] timing = {"update_ms", "steps_per_second", "elapsed_s"};
        for (String f : new String[]{"episodes.csv", "evaluations.csv"}) {
            List<double[]> a = numbers(dir.resolve("with").resolve(f), timing), b = numbers(dir.resolve("without").resolve(f), timing);
            for (int c = 0; c < a.size(); c++) {
                assertArrayEquals(a.get(c), b.get(c), f + " column " + c);
            }
        }
        assertArrayEquals(strip(dir.resolve("with/policy.ckpt")), strip(dir.resolve("without/policy.ckpt")), "the same policy");
    }

    /** The checkpoint without its metadata (which may hold the creation time). */
    static byte[] strip(Path ckpt) throws Exception {
        trot.io.Checkpoint c = trot.io.Checkpoint.read(ckpt);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (trot.io.Checkpoint.Tensor t : c.tensors().values()) {
            for (float v : t.data()) {
                int b = Float.floatToRawIntBits(v);
                bytes.write(b);
                bytes.write(b >>> 8);
                bytes.write(b >>> 16);
                bytes.write(b >>> 24);
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void existingResultsAreNotOverwrittenWithoutForce(@TempDir Path dir) throws Exception {
        train(dir, 4, 1);
        byte[] before = Files.readAllBytes(dir.resolve("episodes.csv"));
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> train(dir, 5, 1));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("episodes.csv")), "the old results are intact");
    }

    @Test
    void aDirectoryHoldingAnyResultIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        byte[] policy = {1, 2, 3};
        Files.write(dir.resolve("policy.ckpt"), policy);
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> train(dir, 5, 1));
        assertTrue(e.getMessage().contains("policy.ckpt"), e.getMessage());
        assertArrayEquals(policy, Files.readAllBytes(dir.resolve("policy.ckpt")), "the earlier policy is intact");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing else was written");
        }
    }

    /**
     * Episodes that end by truncation at step 3 (odd episodes) or by termination at step 2 (even episodes); the
     * observation is the step number, plus 10 in even episodes.
     */
    static final class Scripted extends OneDimensionalEnvironment {
        Scripted() {
            super("scripted", 3);
        }

        @Override
        public void step(float[] action, StepResult out) {
            step++;
            out.observation[0] = step + (episode % 2 == 0 ? 10 : 0);
            out.reward = 1;
            out.terminated = episode % 2 == 0 && step == 2;
            out.truncated = !out.terminated && step == 3;
        }
    }

    @Test
    void truncationIsStoredAsBootstrappingAndTerminationIsNot(@TempDir Path dir) throws Exception {
        TrainingSettings settings = new TrainingSettings(20, 20, 0, 1, 0, 1, 0, 1);
        Trainer trainer;
        try (Scripted env = new Scripted(); Scripted evalEnv = new Scripted()) {
            trainer = new Trainer(settings, TINY.with("threads", "1"), env, evalEnv, dir, false);
            trainer.run(p -> { });
        }
        trot.replay.Batch b = new trot.replay.Batch(400, 1, 1);
        trainer.replay().sample(b);
        int terminal = 0, cut = 0;
        for (int i = 0; i < b.size; i++) {
            float next = b.nextObservations.data[i], mask = b.masks.data[i];
            if (next == 12f) {
                assertEquals(0f, mask, "the transition into a terminal state must not bootstrap");
                terminal++;
            } else {
                assertEquals(1f, mask, "next observation " + next + ": a time-limit truncation (3) or a mid-episode step bootstraps");
                cut += next == 3f ? 1 : 0;
            }
        }
        assertTrue(terminal > 0 && cut > 0, "both kinds were sampled");
        MetricsCsv.Table episodes = MetricsCsv.read(dir.resolve("episodes.csv"));
        double[] lengths = episodes.column("length"), terminated = episodes.column("terminated");
        for (int i = 0; i < lengths.length; i++) {
            boolean even = (i + 1) % 2 == 0;
            assertEquals(even ? 2 : 3, lengths[i], "episode " + (i + 1));
            assertEquals(even ? 1 : 0, terminated[i], "episode " + (i + 1) + ": only a true termination is recorded as one");
        }
    }
}
