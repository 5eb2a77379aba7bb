package trot.nn;

import org.jblas.FloatMatrix;

/** Mean squared error, {@code L = (1/n) sum_i (p_i - y_i)^2}, with gradient {@code dL/dp = (2/n)(p - y)}. */
public final class Mse {
    private Mse() {
    }

    /**
     * Computes the loss and writes its gradient with respect to {@code prediction} into {@code grad}.
     *
     * @throws IllegalArgumentException when shapes differ or {@code grad} aliases an input
     */
    public static float lossAndGradient(FloatMatrix prediction, FloatMatrix target, FloatMatrix grad) {
        if (prediction.rows != target.rows || prediction.columns != target.columns
                || grad.rows != prediction.rows || grad.columns != prediction.columns) {
            throw new IllegalArgumentException("Mse: prediction is " + Layer.shape(prediction) + ", target "
                    + Layer.shape(target) + ", gradient " + Layer.shape(grad) + "; all must match");
        }
        if (grad.data == prediction.data || grad.data == target.data) {
            throw new IllegalArgumentException("Mse: the gradient output aliases the prediction or the target");
        }
        final float[] p = prediction.data, y = target.data, g = grad.data;
        final int n = p.length;
        final float scale = 2f / n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            final float d = p[i] - y[i];
            sum += (double) d * d;
            g[i] = scale * d;
        }
        return (float) (sum / n);
    }
}
