package trot.agent;

/**
 * What one environment-step update did: losses, temperature, and where the time went. One instance per
 * learner, overwritten by every {@link Learner#update}; copy what you want to keep.
 */
public final class UpdateReport {
    /** Mean over the G critic updates and the N critics of the critic loss (1/B) sum (Q - y)^2. */
    public double criticLoss;
    /** Mean over the batch of alpha log pi(a|s) - mean_i Q_i(s, a). */
    public double actorLoss;
    /** alpha (entropy - target entropy), before the temperature step. */
    public double temperatureLoss;
    /** -mean log pi(a|s) of the actor update's sample. */
    public double entropy;
    /** alpha after the update. */
    public double alpha;
    /** Mean over the batch and the critics of Q(s, a~) in the actor update. */
    public double meanQ;
    /** Mean target y of the last critic update. */
    public double meanTarget;
    /** Wall-clock seconds of the whole update and of its phases. */
    public double seconds, samplingSeconds, targetSeconds, criticSeconds, actorSeconds;
}
