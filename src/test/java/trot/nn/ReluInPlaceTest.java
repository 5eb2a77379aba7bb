package trot.nn;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.Test;
import trot.util.Rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A plain network's ReLUs run in place (over the Linear output forward, over the dX they get backward) and give
 * bitwise what the layers give into their own buffers: outputs, input gradients and every parameter gradient,
 * over several rounds, at batch 256, 7 and 1, on inputs with exact zeros, -0 and NaN; through backward and
 * backwardForked; and a ReLU's output after it is the Linear's output buffer.
 */
class ReluInPlaceTest {

    static Mlp net(int batch, boolean inPlace) {
        Mlp m = new Mlp(Mlp.Spec.plain(48, new int[]{64, 32}, 24), batch, new Rng(3), MaskSource.geometric(new Rng(4)));
        m.setFused(inPlace);
        return m;
    }

    @Test
    void inPlaceIsBitwiseTheLayersIntoTheirOwnBuffers() {
        for (int batch : new int[]{256, 7, 1}) {
            Mlp inPlace = net(batch, true), separate = net(batch, false);
            Rng rng = new Rng(8);
            for (int round = 0; round < 3; round++) {
                FloatMatrix x = new FloatMatrix(batch, 48), dy = new FloatMatrix(batch, 24);
                rng.fillGaussian(x.data, 0, x.length);
                rng.fillGaussian(dy.data, 0, dy.length);
                if (round == 1) {
                    x.data[0] = Float.NaN;
                    x.data[x.length - 1] = -0f;
                    java.util.Arrays.fill(x.data, 1, Math.min(x.length, 20), 0f);
                }
                FloatMatrix dyCopy = dy.dup();
                assertArrayEquals(separate.forward(x).data, inPlace.forward(x).data, "output, batch " + batch);
                FloatMatrix a = separate.backward(dy, true, true);
                if (round == 2) {
                    inPlace.backwardForked(dy, (p, q) -> { q.run(); p.run(); });   // no dX: gradients only
                } else {
                    assertArrayEquals(a.data, inPlace.backward(dy, true, true).data, "input gradient, batch " + batch + ", round " + round);
                }
                assertArrayEquals(dyCopy.data, dy.data, "the caller's output gradient is left alone");
                for (int p = 0; p < separate.params().size(); p++) {
                    assertArrayEquals(separate.params().get(p).grad.data, inPlace.params().get(p).grad.data,
                            separate.params().get(p).name + " gradient, batch " + batch + ", round " + round);
                }
            }
            Layer[] layers = inPlace.layers();
            assertSame(layers[0].output(), layers[2].input, "fc1 reads relu0's result from fc0's output buffer");
            for (int i : new int[]{1, 3}) {
                assertArrayEquals(new float[layers[i].output().length], layers[i].output().data,
                        layers[i] + ": its own output buffer is never written");
                assertArrayEquals(new float[layers[i].gradInput().length], layers[i].gradInput().data,
                        layers[i] + ": its own input-gradient buffer is never written, by backward or backwardForked");
            }
        }
    }

    @Test
    void anInPlaceReluRefusesABackwardBeforeItsForward() {
        Relu r = new Relu("r", 4, 2);
        assertThrows(IllegalStateException.class, () -> r.backwardInPlace(new FloatMatrix(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> r.forwardInPlace(new FloatMatrix(2, 5)));
        r.forwardInPlace(new FloatMatrix(2, 4));
        assertThrows(IllegalArgumentException.class, () -> r.backwardInPlace(new FloatMatrix(3, 4)));
    }
}
