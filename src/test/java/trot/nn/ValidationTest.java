package trot.nn;

import trot.util.Rng;
import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import trot.blas.Blas;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configuration and bad calls fail at once, with a message that names the layer and the shapes. */
class ValidationTest {
    final Rng rng = new Rng(9);

    static void throwsMentioning(Class<? extends Throwable> type, Executable call, String... words) {
        Throwable t = assertThrows(type, call);
        for (String w : words) {
            assertTrue(t.getMessage().contains(w), "message \"" + t.getMessage() + "\" should mention \"" + w + "\"");
        }
    }

    @Test
    void wrongInputShapeNamesLayerAndShapes() {
        Linear fc = new Linear("fc0", 60, 256, 256, rng);
        throwsMentioning(IllegalArgumentException.class, () -> fc.forward(new FloatMatrix(256, 48)),
                "Linear fc0", "256x48", "expected 256x60");
        throwsMentioning(IllegalArgumentException.class, () -> fc.forward(new FloatMatrix(60, 256)),
                "Linear fc0", "60x256", "expected 256x60");
        fc.forward(new FloatMatrix(256, 60));
        throwsMentioning(IllegalArgumentException.class, () -> fc.backward(new FloatMatrix(256, 60)),
                "Linear fc0", "output gradient", "expected 256x256");
        throwsMentioning(IllegalArgumentException.class, () -> fc.forward(null), "Linear fc0", "null");
    }

    @Test
    void inputAliasingAnOwnBufferIsRejected() {
        Relu relu = new Relu("relu0", 8, 4);
        relu.forward(new FloatMatrix(4, 8));
        throwsMentioning(IllegalArgumentException.class, () -> relu.forward(relu.output()), "Relu relu0", "aliases");
        throwsMentioning(IllegalArgumentException.class, () -> relu.backward(relu.gradInput()), "Relu relu0", "aliases");
        FloatMatrix sharing = new FloatMatrix(4, 8, relu.output().data);
        throwsMentioning(IllegalArgumentException.class, () -> relu.forward(sharing), "aliases");
    }

    @Test
    void backwardBeforeForwardIsAnError() {
        LayerNorm ln = new LayerNorm("ln0", 8, 4, 1e-5f);
        throwsMentioning(IllegalStateException.class, () -> ln.backward(new FloatMatrix(4, 8)), "LayerNorm ln0", "before forward");
        TanhGaussianHead head = new TanhGaussianHead(3, 4);
        throwsMentioning(IllegalStateException.class, () -> head.backward(null, null), "sample");
    }

    @Test
    void constructorsRejectBadConfiguration() {
        throwsMentioning(IllegalArgumentException.class, () -> new Linear("fc", 0, 4, 4, rng), "Linear fc", "in=0");
        throwsMentioning(IllegalArgumentException.class, () -> new Dropout("d", 4, 4, 1f, MaskSource.geometric(rng)), "rate", "[0, 1)");
        throwsMentioning(IllegalArgumentException.class, () -> new Dropout("d", 4, 4, Float.NaN, MaskSource.geometric(rng)), "rate");
        throwsMentioning(IllegalArgumentException.class, () -> new LayerNorm("ln", 4, 4, 0f), "eps");
        throwsMentioning(IllegalArgumentException.class, () -> new Mlp.Spec(4, new int[]{8, -1}, 2, 0f, false, 1e-5f), "hidden");
        throwsMentioning(IllegalArgumentException.class, () -> Mlp.Spec.dropoutLayerNorm(4, new int[]{8}, 2, 1.5f), "dropout");
        throwsMentioning(IllegalArgumentException.class, () -> new TanhGaussianHead(0, 4), "action size");
        Param p = new Param("w", 2, 2);
        throwsMentioning(IllegalArgumentException.class, () -> new Adam(List.of(p), 0f), "learning rate");
        throwsMentioning(IllegalArgumentException.class, () -> new Adam(List.of(p), 1e-3f, 1f, 0.999f, 1e-8f), "betas");
        throwsMentioning(IllegalArgumentException.class, () -> new Adam(List.of(p, p), 1e-3f), "w", "twice");
        throwsMentioning(IllegalArgumentException.class, () -> new Param("w", 0, 3), "w", "0x3");
    }

    @Test
    void polyakAndMseCheckTheirOperands() {
        Param a = new Param("w", 2, 3), b = new Param("w", 3, 2), c = new Param("w", 2, 3);
        throwsMentioning(IllegalArgumentException.class, () -> Polyak.update(List.of(a), List.of(c), 1.5f), "tau");
        throwsMentioning(IllegalArgumentException.class, () -> Polyak.update(List.of(a), List.of(b), 0.005f), "2x3", "3x2");
        throwsMentioning(IllegalArgumentException.class, () -> Polyak.update(List.of(a), List.of(a), 0.005f), "same object");
        FloatMatrix p = new FloatMatrix(4, 1), y = new FloatMatrix(4, 1);
        throwsMentioning(IllegalArgumentException.class, () -> Mse.lossAndGradient(p, new FloatMatrix(5, 1), new FloatMatrix(4, 1)), "5x1");
        throwsMentioning(IllegalArgumentException.class, () -> Mse.lossAndGradient(p, y, p), "aliases");
    }

    @Test
    void headChecksNoiseAndAliasing() {
        TanhGaussianHead head = new TanhGaussianHead(3, 4);
        FloatMatrix out = new FloatMatrix(4, 6);
        throwsMentioning(IllegalArgumentException.class, () -> head.sample(out, new FloatMatrix(4, 2)), "noise", "4x2", "expected 4x3");
        throwsMentioning(IllegalArgumentException.class, () -> head.sample(new FloatMatrix(4, 3), new FloatMatrix(4, 3)),
                "network output", "expected 4x6");
        throwsMentioning(IllegalArgumentException.class, () -> head.sample(out, head.action()), "aliases");
    }

    @Test
    void masksAreChecked() {
        FloatMatrix keep = FloatMatrix.ones(4, 4);
        keep.put(0, 0, 0.5f);
        throwsMentioning(IllegalArgumentException.class, () -> MaskSource.fixed(keep), "0 and 1", "0.5");
        Dropout d = new Dropout("drop0", 4, 3, 0.1f, MaskSource.fixed(FloatMatrix.ones(4, 4)));
        throwsMentioning(IllegalArgumentException.class, () -> d.forward(new FloatMatrix(3, 4)), "4x4", "3x4");
    }

    @Test
    void blasChecksShapesAndAliasing() {
        FloatMatrix a = new FloatMatrix(3, 4), b = new FloatMatrix(4, 5), c = new FloatMatrix(3, 5);
        throwsMentioning(IllegalArgumentException.class, () -> Blas.gemm(false, false, 1f, a, new FloatMatrix(3, 5), 0f, c), "3x4", "3x5");
        throwsMentioning(IllegalArgumentException.class, () -> Blas.gemm(false, false, 1f, c, new FloatMatrix(5, 5), 0f, c), "shares");
        throwsMentioning(IllegalArgumentException.class, () -> Blas.gemv(false, 1f, a, new FloatMatrix(3, 1), 0f, new FloatMatrix(3, 1)), "x has 3");
        Blas.gemm(false, false, 1f, a, b, 0f, c);
    }
}
