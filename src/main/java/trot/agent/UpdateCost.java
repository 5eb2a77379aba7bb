package trot.agent;

/**
 * Floating-point work of one environment-step update ({@link Learner#update}), counting each multiply-add of the
 * matrix products as 2 operations (elementwise work is a few percent and left out). For reporting GFLOP/s.
 *
 * <p>With batch B, widths h_1..h_L, a network's forward costs 2 B sum_l (in_l * out_l); its backward costs as much
 * again for the weight gradients and for the input gradients of every layer but the first (whose input gradient is
 * only computed when the critic passes dQ/da to the actor). Per critic update: one actor forward (a'),
 * M target-critic forwards, N critic forwards and backwards; per environment step, G of those plus the actor update
 * (actor forward and backward, N critic forwards and input-gradient backwards).
 */
public final class UpdateCost {
    private UpdateCost() {
    }

    /** Multiply-add FLOPs of one forward pass of an MLP in -> hidden... -> out at batch b. */
    static double forward(int b, int in, int[] hidden, int out) {
        double macs = 0;
        int w = in;
        for (int h : hidden) {
            macs += (double) w * h;
            w = h;
        }
        macs += (double) w * out;
        return 2.0 * b * macs;
    }

    /** Input-gradient FLOPs of every layer but the first (or all layers when {@code firstToo}). */
    static double inputGradients(int b, int in, int[] hidden, int out, boolean firstToo) {
        double f = forward(b, in, hidden, out);
        return firstToo ? f : f - 2.0 * b * in * hidden[0];
    }

    /** FLOPs of one {@link Learner#update} for this configuration and these sizes. */
    public static double flopsPerUpdate(LearnerConfig c, int observationSize, int actionSize) {
        int b = c.batchSize(), ci = observationSize + actionSize;
        int[] h = c.hidden();
        double actorFwd = forward(b, observationSize, h, 2 * actionSize);
        double criticFwd = forward(b, ci, h, 1);
        double criticBwd = criticFwd + inputGradients(b, ci, h, 1, false);
        double criticUpdate = actorFwd + c.targetCritics() * criticFwd + c.critics() * (criticFwd + criticBwd);
        double actorBwd = actorFwd + inputGradients(b, observationSize, h, 2 * actionSize, false);
        double actorUpdate = actorFwd + actorBwd + c.critics() * (criticFwd + inputGradients(b, ci, h, 1, true));
        return c.updatesPerStep() * criticUpdate + actorUpdate;
    }
}
