package trot.train;

import trot.agent.Learner;
import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;

/**
 * Runs the deterministic policy tanh(mu(s)) for a number of episodes. The environment is re-seeded with the
 * same seed before every evaluation, so successive evaluations start from the same states and differ only by
 * the policy.
 */
final class Evaluator {
    record Result(double mean, double std, double min, double max, double meanLength) {
    }

    private final Learner learner;
    private final Environment env;
    private final EnvSpec spec;
    private final int episodes;
    private final long seed;
    private final float[] obs, action, envAction;
    private final StepResult result;

    Evaluator(Learner learner, Environment env, int episodes, long seed) {
        this.learner = learner;
        this.env = env;
        this.spec = env.spec();
        this.episodes = episodes;
        this.seed = seed;
        this.obs = new float[spec.observationSize()];
        this.action = new float[spec.actionSize()];
        this.envAction = new float[spec.actionSize()];
        this.result = new StepResult(spec);
    }

    Result run() {
        env.seed(seed);
        double sum = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, steps = 0;
        for (int e = 0; e < episodes; e++) {
            env.reset(obs);
            double ret = 0;
            do {
                learner.act(obs, action, true);
                spec.scaleActions(action, envAction);
                env.step(envAction, result);
                ret += result.reward;
                steps++;
                System.arraycopy(result.observation, 0, obs, 0, obs.length);
            } while (!result.terminated && !result.truncated);
            sum += ret;
            sq += ret * ret;
            min = Math.min(min, ret);
            max = Math.max(max, ret);
        }
        double mean = sum / episodes;
        double std = Math.sqrt(Math.max(0, sq / episodes - mean * mean));
        return new Result(mean, std, min, max, steps / episodes);
    }
}
