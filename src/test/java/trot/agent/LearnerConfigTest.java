package trot.agent;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The presets hold FACTS.md section 1's table; overrides parse, validate together, and fail clearly. */
class LearnerConfigTest {

    @Test
    void presetsAreThePapersTable() {
        LearnerConfig sac = LearnerConfig.sac(), redq = LearnerConfig.redq(), droq = LearnerConfig.droq();
        assertEquals(2, sac.critics());
        assertEquals(2, sac.targetCritics());
        assertEquals(1, sac.updatesPerStep());
        assertEquals(1.0f, sac.initialTemperature());
        assertEquals(-12f, sac.targetEntropy(12));
        assertEquals(10, redq.critics());
        assertEquals(2, redq.targetCritics());
        assertEquals(20, redq.updatesPerStep());
        assertEquals(-6f, redq.targetEntropy(12));
        assertEquals(2, droq.critics());
        assertEquals(20, droq.updatesPerStep());
        assertEquals(0.01f, droq.criticDropout());
        assertTrue(droq.criticLayerNorm());
        assertFalse(redq.criticLayerNorm());
        assertEquals(0.1f, droq.initialTemperature());
        assertEquals(-6f, droq.targetEntropy(12));
        for (LearnerConfig c : new LearnerConfig[]{sac, redq, droq}) {
            assertArrayEquals(new int[]{256, 256}, c.hidden());
            assertEquals(256, c.batchSize());
            assertEquals(3e-4f, c.actorLearningRate());
            assertEquals(3e-4f, c.criticLearningRate());
            assertEquals(3e-4f, c.temperatureLearningRate());
            assertEquals(0.99f, c.discount());
            assertEquals(0.005f, c.polyakRate());
        }
        assertEquals("droq", LearnerConfig.preset("DroQ").preset());
    }

    @Test
    void overridesAreAppliedAndValidatedTogether() {
        LearnerConfig c = LearnerConfig.redq().withAll(Map.of("critics", "3", "target-critics", "3", "hidden", "64, 32",
                "lr", "1e-3", "layer-norm", "on"));
        assertEquals(3, c.critics());
        assertEquals(3, c.targetCritics());
        assertArrayEquals(new int[]{64, 32}, c.hidden());
        assertEquals(1e-3f, c.actorLearningRate());
        assertEquals(1e-3f, c.temperatureLearningRate());
        assertTrue(c.criticLayerNorm());
        assertEquals(20, c.updatesPerStep(), "untouched values stay");
    }

    @Test
    void badValuesSayWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearnerConfig.droq().with("utd", "0"));
        assertTrue(e.getMessage().contains("utd (G) must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LearnerConfig.droq().with("gamma", "abc"));
        assertTrue(e.getMessage().contains("gamma=abc is not a valid number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LearnerConfig.droq().with("learning-rate", "1"));
        assertTrue(e.getMessage().contains("unknown key 'learning-rate'") && e.getMessage().contains("critic-lr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LearnerConfig.droq().with("target-critics", "3"));
        assertTrue(e.getMessage().contains("between 1 and critics (N = 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LearnerConfig.preset("ppo"));
        assertTrue(e.getMessage().contains("sac, redq or droq"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LearnerConfig.droq().with("dropout", "1"));
        assertThrows(IllegalArgumentException.class, () -> LearnerConfig.droq().with("layer-norm", "maybe"));
    }

    @Test
    void configurationsCompareByValueAndCannotBeChangedThroughHidden() {
        LearnerConfig a = LearnerConfig.droq(), b = LearnerConfig.droq().with("hidden", "256,256");
        assertEquals(a, b, "equal widths in different arrays");
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(a.with("hidden", "256,128")));
        a.hidden()[0] = 7;
        assertEquals(256, a.hidden()[0], "hidden() hands out a copy");
        trot.nn.Mlp.Spec s = new trot.nn.Mlp.Spec(3, new int[]{4, 4}, 1, 0f, true, 1e-5f);
        assertEquals(s, new trot.nn.Mlp.Spec(3, new int[]{4, 4}, 1, 0f, true, 1e-5f));
        assertFalse(s.equals(new trot.nn.Mlp.Spec(3, new int[]{4, 5}, 1, 0f, true, 1e-5f)));
    }

    @Test
    void precisionDefaultsToOpenblasFp32AndNamesItsChoicesWhenWrong() {
        assertEquals(trot.blas.Products.FP32, LearnerConfig.droq().precision());
        LearnerConfig bf16 = LearnerConfig.droq().with("precision", "BF16");
        assertEquals(trot.blas.Products.BF16, bf16.precision());
        assertEquals("bf16", bf16.values().get("precision"));
        assertEquals(bf16, LearnerConfig.preset("droq").withAll(bf16.values()));
        assertFalse(bf16.equals(LearnerConfig.droq()));
        assertEquals(trot.blas.Products.FP32_ONEDNN, LearnerConfig.sac().with("precision", "fp32-onednn").precision());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LearnerConfig.droq().with("precision", "fp16"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'fp16'") && e.getMessage().contains("bf16"),
                e.getMessage());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}: {1} refused, {2} accepted")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
            "critics; 0; 1", "target-critics; 0; 1", "utd; 0; 1", "dropout; -0.01; 0", "dropout; 1; 0.99",
            "hidden; 0; 1", "hidden; 32,0; 32,1", "batch; 0; 1", "actor-lr; 0; 1e-9", "actor-lr; Infinity; 1",
            "critic-lr; 0; 1e-9", "critic-lr; Infinity; 1", "temperature-lr; 0; 1e-9", "temperature-lr; Infinity; 1",
            "gamma; -0.01; 0", "gamma; 1.01; 1", "tau; 0; 1e-6", "tau; 1.01; 1", "init-temperature; 0; 1e-6",
            "init-temperature; Infinity; 5", "target-entropy-per-action; NaN; -1", "threads; 0; 1"})
    void everyBoundIsWhereItsMessageSays(String key, String refused, String accepted) {
        LearnerConfig base = LearnerConfig.sac().with("target-critics", "1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.with(key, refused));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        LearnerConfig ok = base.with(key, accepted);
        assertEquals(ok, base.with(key, accepted));
    }

    @Test
    void differentConfigurationsHashApart() {
        assertEquals(LearnerConfig.droq().hashCode(), LearnerConfig.droq().with("utd", "20").hashCode());
        assertNotEquals(LearnerConfig.droq().hashCode(), LearnerConfig.sac().hashCode());
        assertNotEquals(LearnerConfig.droq().hashCode(), LearnerConfig.droq().with("precision", "bf16").hashCode());
    }
}
