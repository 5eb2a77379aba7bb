package trot.agent;

import org.jblas.FloatMatrix;
import trot.nn.Adam;
import trot.nn.MaskSource;
import trot.nn.Mlp;
import trot.nn.Mse;
import trot.nn.Param;
import trot.nn.Polyak;
import trot.util.Rng;

import java.util.List;

/**
 * One member of the critic ensemble: the online network Q_i, its target copy Q̄_i, its optimiser, and the
 * buffers its part of an update writes. Every buffer and generator is its own, so members can be updated on
 * different threads with the same results as on one.
 */
final class Critic {
    final Mlp online;
    final Mlp target;
    final Adam adam;
    private final int observationSize;
    private final FloatMatrix input;        // B x (O + A): [s | a]
    private final FloatMatrix targetInput;  // B x (O + A): [s' | a']
    private final FloatMatrix qGrad;        // B x 1
    private final FloatMatrix ones;         // B x 1
    final FloatMatrix actionGrad;           // B x A: dQ_i(s, a)/da, row by row
    float loss;

    Critic(Mlp.Spec spec, int batch, int observationSize, float learningRate, Rng init,
           Rng onlineMasks, Rng targetMasks) {
        this.observationSize = observationSize;
        this.online = new Mlp(spec, batch, init, MaskSource.geometric(onlineMasks));
        this.target = new Mlp(spec, batch, init, MaskSource.geometric(targetMasks));
        Param.copyValues(online.params(), target.params());     // phi_targ <- phi
        this.adam = new Adam(online.params(), learningRate);
        this.input = new FloatMatrix(batch, spec.input());
        this.targetInput = new FloatMatrix(batch, spec.input());
        this.qGrad = new FloatMatrix(batch, 1);
        this.ones = FloatMatrix.ones(batch, 1);
        this.actionGrad = new FloatMatrix(batch, spec.input() - observationSize);
    }

    /** Q̄_i(s', a') into {@link #targetQ()} (dropout active, as in the reference), a forward-only pass. */
    void evaluateTarget(FloatMatrix nextObservations, FloatMatrix nextActions) {
        concat(nextObservations, nextActions, targetInput);
        target.forwardInference(targetInput);       // never back-propagated: keeps no activations
    }

    FloatMatrix targetQ() {
        return target.output();
    }

    /**
     * One gradient step on L_i = (1/B) sum_b (Q_i(s_b, a_b) - y_b)^2, then the soft target update
     * Q̄_i <- (1 - tau) Q̄_i + tau Q_i. Records the loss (before the step) in {@link #loss}.
     */
    void update(FloatMatrix observations, FloatMatrix actions, FloatMatrix y, float tau) {
        concat(observations, actions, input);
        adam.zeroGrad();
        loss = Mse.lossAndGradient(online.forward(input), y, qGrad);
        online.backward(qGrad, true, false);
        adam.step();
        Polyak.update(target.params(), online.params(), tau);
    }

    /**
     * Q_i(s, a) into {@link #q()} and dQ_i/da into {@link #actionGrad}, without touching the parameter gradients
     * (the critics only pass gradients through to the actor in its update).
     */
    void actionGradient(FloatMatrix observations, FloatMatrix actions) {
        concat(observations, actions, input);
        online.forward(input);
        FloatMatrix dx = online.backward(ones, false, true);
        int b = actions.rows;
        System.arraycopy(dx.data, b * observationSize, actionGrad.data, 0, actionGrad.length);
    }

    FloatMatrix q() {
        return online.output();
    }

    List<Param> params() {
        return online.params();
    }

    /** [s | a] into {@code out}: with one sample per row and column-major storage, a concatenation of arrays. */
    private static void concat(FloatMatrix s, FloatMatrix a, FloatMatrix out) {
        System.arraycopy(s.data, 0, out.data, 0, s.length);
        System.arraycopy(a.data, 0, out.data, s.length, a.length);
    }
}
