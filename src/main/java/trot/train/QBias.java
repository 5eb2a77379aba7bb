package trot.train;

import trot.agent.Learner;
import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.StepResult;
import trot.runtime.Controller;
import trot.runtime.Rollout;

/**
 * The Q-bias diagnostic of the REDQ paper (Chen et al. 2021, section 4): roll out the current stochastic policy,
 * compute for every visited (s_t, a_t) the discounted Monte-Carlo return with the entropy bonus,
 * <pre>
 *   Q^pi(s_t, a_t) ~ G_t = r_t + sum_{k >= 1} gamma^k (r_{t+k} - alpha log pi(a_{t+k} | s_{t+k})),
 * </pre>
 * and compare it with the critics' estimate mean_i Q_i(s_t, a_t): the normalised bias is
 * (Q(s_t, a_t) - G_t) / |mean_t G_t|; its mean says whether the critics over- or underestimate, its standard
 * deviation how uneven the error is.
 *
 * <p>An episode cut by its time limit has no tail after its last step, so G_t misses the return after the limit,
 * which weighs gamma^(T - t) in Q(s_t, a_t). Such episodes contribute only their first half of states, and the
 * result reports the largest weight left out, {@code tailWeight} (0.37 for a 200-step episode at gamma 0.99, 0.13
 * for 400 steps); terminated episodes contribute all their states and miss nothing. Where rewards after the limit
 * would be far from zero (a robot walking on), read the bias with that weight in mind: the critics' values
 * include the tail, the Monte-Carlo return does not, so the bias comes out high by up to about
 * tailWeight * (the tail's value) / |mean G|.
 */
final class QBias {
    record Result(double biasMean, double biasStd, double meanQ, double meanReturn, int pairs, double tailWeight) {
    }

    private final Learner learner;
    private final Rollout rollout;
    private final int episodes;
    private final long seed;
    private final double gamma;
    private final float[][] observations, actions;
    private final double[] rewards, logProbs, returns, estimates;
    private int len;
    /** The training policy with its own noise, booking log pi(a_t | s_t). */
    private final Controller probe;
    /** Keeps s_t, a_t and r_t of the episode. */
    private final Rollout.Observer keep = new Rollout.Observer() {
        @Override
        public void step(Rollout r) {
            System.arraycopy(r.observation(), 0, observations[len], 0, r.observation().length);
            System.arraycopy(r.action(), 0, actions[len], 0, r.action().length);
            rewards[len] = r.result().reward;
            len++;
        }
    };

    QBias(Learner learner, Environment env, int episodes, long seed, double gamma) {
        this.learner = learner;
        this.rollout = new Rollout(env);
        EnvSpec spec = env.spec();
        this.episodes = episodes;
        this.seed = seed;
        this.gamma = gamma;
        int t = spec.maxEpisodeSteps();
        this.observations = new float[t][spec.observationSize()];
        this.actions = new float[t][spec.actionSize()];
        this.rewards = new double[t];
        this.logProbs = new double[t];
        this.returns = new double[(long) t * episodes > Integer.MAX_VALUE ? 0 : t * episodes];
        this.estimates = new double[returns.length];
        this.probe = (o, a) -> logProbs[len] = learner.probeAct(o, a);
    }

    Result run(double alpha) {
        rollout.env().seed(seed);
        int pairs = 0;
        double tailWeight = 0;
        for (int e = 0; e < episodes; e++) {
            len = 0;
            StepResult result = rollout.runEpisode(probe, keep);
            int used = result.terminated ? len : len / 2;
            if (!result.terminated && used > 0) {
                tailWeight = Math.max(tailWeight, Math.pow(gamma, len - (used - 1)));
            }
            // soft_t = r_t - alpha log pi_t; S_t = soft_t + gamma S_{t+1}; G_t = r_t + gamma S_{t+1}.
            double tail = 0;
            for (int t = len - 1; t >= 0; t--) {
                double g = rewards[t] + gamma * tail;
                tail = rewards[t] - alpha * logProbs[t] + gamma * tail;
                if (t < used) {
                    returns[pairs + t] = g;
                    estimates[pairs + t] = learner.estimateQ(observations[t], actions[t]);
                }
            }
            pairs += used;
        }
        double meanReturn = 0, meanQ = 0;
        for (int i = 0; i < pairs; i++) {
            meanReturn += returns[i];
            meanQ += estimates[i];
        }
        meanReturn /= Math.max(1, pairs);
        meanQ /= Math.max(1, pairs);
        double norm = Math.abs(meanReturn);
        double mean = 0, sq = 0;
        for (int i = 0; i < pairs; i++) {
            double b = (estimates[i] - returns[i]) / norm;
            mean += b;
            sq += b * b;
        }
        mean /= Math.max(1, pairs);
        double std = Math.sqrt(Math.max(0, sq / Math.max(1, pairs) - mean * mean));
        return new Result(mean, std, meanQ, meanReturn, pairs, tailWeight);
    }
}
