package demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import trot.agent.Learner;
import trot.agent.LearnerConfig;
import trot.blas.BlasBackend;
import trot.replay.ReplayBuffer;

/**
 * README.md's "Using trot from your own program" snippet in a program of its own: a DroQ learner on made-up
 * 48-dimensional observations and 12 actions, then a report of what it computed with. scripts/consumer-check.sh
 * builds it against the installed dev.trot:trot jar and runs it with no JVM flags.
 */
public final class Embed {
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Random world = new Random(7);
        float[] observation = new float[48], next = new float[48], action = new float[12];
        try (Learner learner = new Learner(LearnerConfig.droq(), 48, 12, /* seed */ 42)) {
            ReplayBuffer replay = new ReplayBuffer(100_000, 48, 12, 43);
            for (int i = 0; i < observation.length; i++) {
                observation[i] = (float) world.nextGaussian();
            }
            int updates = 0;
            for (int step = 0; step < steps; step++) {
                // each control period:
                learner.act(observation, action, false);                 // action in [-1, 1], allocation-free
                float reward = 0;
                for (int i = 0; i < next.length; i++) {
                    next[i] = 0.9f * observation[i] + 0.1f * action[i % action.length] + 0.05f * (float) world.nextGaussian();
                    reward -= next[i] * next[i] / next.length;
                }
                boolean fell = world.nextInt(200) == 0;
                replay.add(observation, action, reward, next, fell);     // fell: a true termination, not a time limit
                if (step >= 256) {
                    learner.update(replay);                               // G critic updates, actor, temperature
                    updates++;
                }
                System.arraycopy(next, 0, observation, 0, next.length);
            }
            for (float a : action) {
                if (!(a >= -1 && a <= 1)) {
                    throw new AssertionError("action outside [-1, 1]: " + a);
                }
            }
            System.out.println("consumer: " + steps + " steps, " + updates + " updates");
        }
        System.out.println("consumer: " + BlasBackend.describe());
        System.out.println("consumer: java.library.path=" + System.getProperty("java.library.path"));
        List<String> mapped;
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            mapped = maps.filter(l -> l.endsWith("/libjblas.so")).map(l -> l.substring(l.indexOf('/')))
                    .distinct().collect(Collectors.toList());
        }
        System.out.println("consumer: libjblas.so mapped: " + mapped);
    }
}
