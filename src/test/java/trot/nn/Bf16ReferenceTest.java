package trot.nn;

import org.jblas.FloatMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trot.blas.Blas;
import trot.blas.Onednn;
import trot.blas.Products;
import trot.testing.Fixture;
import trot.util.Rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static trot.testing.Compare.close;
import static trot.testing.Compare.relativeError;

/**
 * trot's bf16 products ({@code precision=bf16}: factors rounded to bfloat16, sums in fp32, through oneDNN) against
 * PyTorch (reference/make_bf16_fixtures.py, fixtures/bf16.bin).
 *
 * <ul>
 *   <li>Products: against bf16(A) bf16(B) summed exactly, by maximum error relative to the largest element
 *       ({@link trot.testing.Compare}). Only float32 accumulation separates them ({@link #PRODUCT}, worst 3.4e-7); the fp32 product of the same inputs misses by 100x more, so the test sees whether
 *       the rounding happened and was to nearest even.</li>
 *   <li>Networks (the DroQ critic, the actor's MLP), forward and backward, compared by
 *       {@code ||trot - reference|| / ||reference||}: against PyTorch's bf16 autocast, and against the float64
 *       answer. bf16 moves a ReLU's input by a few 1e-3, enough to flip the units nearest zero, and each flip
 *       changes a gradient by one of its 256 terms: so gradients sit about 5% from the float64 answer, in trot as
 *       in autocast (the flips are the same: rounding never changes a sign). The actor then agrees with autocast
 *       to 0.17% ({@link #ACTOR_AUTOCAST}); the critic to 4% ({@link #CRITIC_AUTOCAST}), because autocast also
 *       rounds each Linear's output to bf16 before LayerNorm, which trot does not. Worst values measured on
 *       Zen 4 (AVX512-BF16): 2.5e-3, 3.9e-2, and 5.8e-2 against float64 ({@link #EXACT}); margins 2.4-2.6x.</li>
 * </ul>
 *
 * <p>oneDNN must be present (native/build/libtrotdnnl.so); without it the tests skip, except in CI
 * ({@code TROT_REQUIRE_ONEDNN=1}), where they fail.
 */
class Bf16ReferenceTest {
    static final double PRODUCT = 1e-6;
    static final double ACTOR_AUTOCAST = 6e-3;
    static final double CRITIC_AUTOCAST = 0.1;
    static final double EXACT = 0.15;

    @BeforeAll
    static void onednn() {
        if (System.getenv("TROT_REQUIRE_ONEDNN") != null) {
            Onednn.requireAvailable("Bf16ReferenceTest (TROT_REQUIRE_ONEDNN is set)");
        }
        assumeTrue(Onednn.available(), "oneDNN (native/build/libtrotdnnl.so) not loaded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nn", "nn256", "tn", "nt"})
    void productsRoundTheFactorsToBf16AndSumInFp32(String c) {
        Fixture f = Fixture.load("bf16.bin");
        boolean ta = c.equals("tn"), tb = c.equals("nt");
        FloatMatrix a = f.matrix(c + ".a"), b = f.matrix(c + ".b"), expected = f.matrix(c + ".c");
        FloatMatrix out = new FloatMatrix(expected.rows, expected.columns);
        Blas.gemm(Products.BF16, ta, tb, 1f, a, b, 0f, out);
        double bf16Error = relativeError(out.data, expected.data);
        close(c + " bf16 product", out, expected, PRODUCT);

        Blas.gemm(Products.FP32, ta, tb, 1f, a, b, 0f, out);
        double fp32Error = relativeError(out.data, expected.data);
        assertTrue(fp32Error > 100 * PRODUCT, c + ": the fp32 product is only " + fp32Error
                + " from the bf16 reference; the test would not see a product left in fp32");
        assertTrue(bf16Error < fp32Error / 100, c + ": bf16 " + bf16Error + " vs fp32 " + fp32Error);
    }

    @Test
    void betaAccumulatesAndAlphaScalesAsInBlas() {
        Fixture f = Fixture.load("bf16.bin");
        FloatMatrix a = f.matrix("tn.a"), b = f.matrix("tn.b"), expected = f.matrix("tn.c");
        FloatMatrix out = expected.dup();
        Blas.gemm(Products.BF16, true, false, 2f, a, b, 1f, out);   // out = 2 AB + AB = 3 AB
        close("3 C", out, expected.mul(3f), PRODUCT * 3);
        FloatMatrix nan = new FloatMatrix(expected.rows, expected.columns).fill(Float.NaN);
        Blas.gemm(Products.BF16, true, false, 1f, a, b, 0f, nan);   // beta = 0: C's NaNs do not survive
        close("beta 0 over NaN", nan, expected, PRODUCT);
    }

    @Test
    void theKernelIsNotOnednnsReferenceCode() {
        String kernel = Onednn.kernel(true);
        assertTrue(!kernel.startsWith("ref"), "oneDNN runs bf16 products on its reference code (" + kernel + ")");
        assertTrue(!Onednn.kernel(false).startsWith("ref"), Onednn.kernel(false));
    }

    @Test
    void fp32OnednnProductsMatchTheFloat64CriticAsTightlyAsOpenblas() {
        Fixture f = Fixture.load("critic.bin");
        Mlp critic = new Mlp(Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f), 256, new Rng(1),
                MaskSource.geometric(new Rng(2)));
        critic.setProducts(Products.FP32_ONEDNN);
        ReferenceFixturesTest.loadParams(f, "droq.", critic.params());
        ReferenceFixturesTest.fixMasks(f, "droq.keep", critic);
        close("droq.y", critic.forward(f.matrix("droq.x")), f.matrix("droq.y"), ReferenceFixturesTest.FWD);
        close("droq.dx", critic.backward(f.matrix("droq.dy"), true, true), f.matrix("droq.dx"),
                ReferenceFixturesTest.GRAD);
        ReferenceFixturesTest.compareGrads(f, "droq.grad.", critic.params());
    }

    @Test
    void thinProductsStayOnOpenblasBitwise() {
        Rng rng = new Rng(5);
        FloatMatrix a = new FloatMatrix(256, Blas.ONEDNN_MIN_SIZE - 1), b = new FloatMatrix(Blas.ONEDNN_MIN_SIZE - 1, 256);
        rng.fillGaussian(a.data, 0, a.length);
        rng.fillGaussian(b.data, 0, b.length);
        FloatMatrix viaBf16 = new FloatMatrix(256, 256), viaOpenblas = new FloatMatrix(256, 256);
        Blas.gemm(Products.BF16, false, false, 1f, a, b, 0f, viaBf16);
        Blas.gemm(Products.FP32, false, false, 1f, a, b, 0f, viaOpenblas);
        assertTrue(java.util.Arrays.equals(viaOpenblas.data, viaBf16.data), "k < ONEDNN_MIN_SIZE went to oneDNN");
        FloatMatrix a8 = new FloatMatrix(256, Blas.ONEDNN_MIN_SIZE), b8 = new FloatMatrix(Blas.ONEDNN_MIN_SIZE, 256);
        rng.fillGaussian(a8.data, 0, a8.length);
        rng.fillGaussian(b8.data, 0, b8.length);
        Blas.gemm(Products.BF16, false, false, 1f, a8, b8, 0f, viaBf16);
        Blas.gemm(Products.FP32, false, false, 1f, a8, b8, 0f, viaOpenblas);
        assertTrue(!java.util.Arrays.equals(viaOpenblas.data, viaBf16.data), "k = ONEDNN_MIN_SIZE stayed on OpenBLAS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"critic", "actor"})
    void networksAgreeWithPytorchAutocast(String c) {
        Fixture f = Fixture.load("bf16.bin");
        boolean critic = c.equals("critic");
        Mlp.Spec spec = critic ? Mlp.Spec.dropoutLayerNorm(60, new int[]{256, 256}, 1, 0.01f)
                : Mlp.Spec.plain(48, new int[]{256, 256}, 24);
        Mlp net = new Mlp(spec, 256, new Rng(1), MaskSource.geometric(new Rng(2)));
        net.setProducts(Products.BF16);
        ReferenceFixturesTest.loadParams(f, c + ".", net.params());
        if (critic) {
            ReferenceFixturesTest.fixMasks(f, c + ".keep", net);
        }
        for (Param p : net.params()) {
            p.grad.fill(0f);
        }
        FloatMatrix y = net.forward(f.matrix(c + ".x")).dup();
        FloatMatrix dx = net.backward(f.matrix(c + ".dy"), true, true).dup();
        // tolerances on ||trot - reference|| / ||reference||: [actor, critic] x [autocast, exact]
        double[] tols = critic ? new double[]{CRITIC_AUTOCAST, EXACT} : new double[]{ACTOR_AUTOCAST, EXACT};
        String[] refs = {"autocast", "exact"};
        for (int r = 0; r < 2; r++) {
            String ref = refs[r];
            double tol = tols[r];
            near(c + " y vs " + ref, y, f.matrix(c + "." + ref + ".y"), tol);
            near(c + " dx vs " + ref, dx, f.matrix(c + "." + ref + ".dx"), tol);
            for (Param p : net.params()) {
                String key = c + "." + ref + ".grad." + p.name;
                near(key, p.grad, p.name.endsWith(".weight") ? f.linearWeight(key) : f.matrix(key), tol);
            }
        }
    }

    static void near(String what, FloatMatrix actual, FloatMatrix expected, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double e = rms(actual, expected);
        assertTrue(e <= tol, what + ": ||trot - reference|| / ||reference|| = " + e + " > " + tol);
    }

    /** ||actual - expected|| / ||expected|| (Frobenius norms). */
    static double rms(FloatMatrix actual, FloatMatrix expected) {
        double num = 0, den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual.data[i] - expected.data[i];
            num += d * d;
            den += (double) expected.data[i] * expected.data[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }
}
