package trot.runtime;

import org.jblas.FloatMatrix;
import trot.nn.Param;
import trot.nn.TanhGaussianPolicy;
import trot.util.Rng;

import java.util.List;

/**
 * The control thread's own copy of the policy: a batch-1 {@link TanhGaussianPolicy} of the learner's architecture
 * with its own noise generator, refreshed from a {@link PolicyMailbox} between periods. Acting and refreshing
 * allocate nothing; a refresh that loses a race with the writer keeps the current weights (it never waits).
 */
public final class ControlPolicy {
    private final TanhGaussianPolicy policy;
    private final PolicyMailbox mailbox;
    private final float[] staging;
    private final FloatMatrix observation;
    private final int actionSize;
    private long version;
    private long tornReads;

    /**
     * @param initial the learner's policy parameters now (copied: the control thread starts with them as version 0)
     * @param hidden  the hidden widths of the learner's actor
     * @param noise   the generator of the exploration noise of {@link #act} (the control thread's own)
     */
    public ControlPolicy(int observationSize, int actionSize, int[] hidden, List<Param> initial, PolicyMailbox mailbox,
                         Rng noise) {
        this.policy = new TanhGaussianPolicy(observationSize, actionSize, hidden, 1, new Rng(0), noise);
        Param.copyValues(initial, policy.params());
        if (mailbox.size() != Param.count(policy.params())) {
            throw new IllegalArgumentException("ControlPolicy: the mailbox holds " + mailbox.size()
                    + " floats, the policy has " + Param.count(policy.params()));
        }
        this.mailbox = mailbox;
        this.staging = new float[mailbox.size()];
        this.observation = new FloatMatrix(1, observationSize);
        this.actionSize = actionSize;
    }

    /** Takes the newest published weights if there are any; true when the weights changed. */
    public boolean refresh() {
        long v = mailbox.tryRead(staging, version);
        if (v < 0) {
            tornReads++;
            return false;
        }
        if (v == version) {
            return false;
        }
        PolicyMailbox.unflatten(staging, policy.params());
        version = v;
        return true;
    }

    /** a ~ pi(.|s) (training) or a = tanh(mu(s)) (deterministic), in [-1, 1]; as {@code Learner.act}. */
    public void act(float[] obs, float[] action, boolean deterministic) {
        System.arraycopy(obs, 0, observation.data, 0, obs.length);
        if (deterministic) {
            policy.deterministic(observation);
        } else {
            policy.sample(observation);
        }
        System.arraycopy(policy.action().data, 0, action, 0, actionSize);
    }

    /** The version of the weights acted with: 0 the initial ones, then the learner's publication count. */
    public long version() {
        return version;
    }

    /** Refreshes that overlapped a write and were discarded. */
    public long tornReads() {
        return tornReads;
    }

    /** The weights acted with (for checkpoints). */
    public List<Param> params() {
        return policy.params();
    }
}
