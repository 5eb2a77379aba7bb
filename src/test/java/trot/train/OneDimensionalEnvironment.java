package trot.train;

import trot.env.EnvSpec;
import trot.env.Environment;

/**
 * A base for the tests' scripted environments: one observation, one action in [-1, 1], a fixed time limit; reset
 * counts episodes and zeroes the step count and the observation. Subclasses write {@link #step}.
 */
abstract class OneDimensionalEnvironment implements Environment {
    final EnvSpec spec;
    int step, episode;

    OneDimensionalEnvironment(String name, int maxEpisodeSteps) {
        this.spec = new EnvSpec(name, 1, 1, new float[]{-1}, new float[]{1}, maxEpisodeSteps, 0.05);
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public void seed(long seed) {
    }

    @Override
    public void reset(float[] observation) {
        step = 0;
        episode++;
        observation[0] = 0;
    }
}
