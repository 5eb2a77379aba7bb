package trot.nn;

import org.jblas.FloatMatrix;

import java.util.List;

/**
 * Rectified linear unit: {@code y = max(x, 0)}; backward {@code dx = dy * [y > 0]} (the gradient at 0 is 0,
 * as in PyTorch). NaN inputs propagate to the output and to the input gradient.
 */
public final class Relu extends Layer {

    public Relu(String name, int size, int batch) {
        super(name, size, size, batch);
    }

    /** Where the last forward wrote y: {@link #output()}, or its input itself after {@link #forwardInPlace}. */
    private FloatMatrix lastOutput = output;

    @Override
    protected void forwardImpl(FloatMatrix x, FloatMatrix y) {
        lastOutput = y;
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
        // dx = dy * [y > 0], written without a branch so that C2 vectorises it (it never vectorises
        // y > 0 ? dy : 0; that loop took 47 us for 256 x 256, this one 8). y is max(x, 0), never negative;
        // y * 2^100 * 2^100 is at least 2^-49 for the smallest positive float, so min(1, it) is exactly 1 for
        // y > 0 and 0 for y == 0. Exact for every finite dy (dy * 0 may give -0; an infinite dy times 0 is NaN).
        final float[] yd = lastOutput.data, dyd = dy.data, dxd = dx.data;
        for (int i = 0, n = dy.length; i < n; i++) {
            dxd[i] = dyd[i] * Math.min(1f, yd[i] * 0x1p100f * 0x1p100f);
        }
    }

    /**
     * {@code x = max(x, 0)} in place (for {@link Mlp}, where x is a Linear layer's output that nothing else reads):
     * the same values as {@link #forward}, without writing this layer's own output buffer. Returns x.
     */
    FloatMatrix forwardInPlace(FloatMatrix x) {
        checkShape("forward", "input", x, batch, inputSize);
        input = x;
        forwardImpl(x, x);
        return x;
    }

    /** The backward of {@link #forwardInPlace}: {@code dy = dy * [y > 0]} in place (dy is the next layer's dX). */
    FloatMatrix backwardInPlace(FloatMatrix dy) {
        if (input == null) {
            throw new IllegalStateException(this + ".backward called before forward");
        }
        checkShape("backward", "output gradient", dy, batch, outputSize);
        backwardImpl(dy, false, dy);
        return dy;
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
