package trot.nn;

import org.jblas.FloatMatrix;

import java.util.List;

/**
 * Rectified linear unit: {@code y = max(x, 0)}; backward {@code dx = dy * [y > 0]} (the gradient at 0 is 0,
 * as in PyTorch). NaN inputs propagate to the output.
 */
public final class Relu extends Layer {

    public Relu(String name, int size, int batch) {
        super(name, size, size, batch);
    }

    @Override
    protected void forwardImpl(FloatMatrix x, FloatMatrix y) {
        final float[] xd = x.data, yd = y.data;
        for (int i = 0, n = x.length; i < n; i++) {
            yd[i] = Math.max(xd[i], 0f);
        }
    }

    @Override
    protected void backwardImpl(FloatMatrix dy, boolean paramGrads, FloatMatrix dx) {
        if (dx == null) {
            return;
        }
        final float[] yd = output.data, dyd = dy.data, dxd = dx.data;
        for (int i = 0, n = dy.length; i < n; i++) {
            dxd[i] = yd[i] > 0f ? dyd[i] : 0f;
        }
    }

    @Override
    public List<Param> params() {
        return List.of();
    }

    @Override
    public Relu withBatch(int batch) {
        return new Relu(name, inputSize, batch);
    }
}
