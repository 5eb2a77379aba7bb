package trot.env.robot;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RobotConfigTest {
    @Test
    void theDefaultsAreThePapersHardwareTask() {
        RobotConfig c = RobotConfig.defaults();
        assertEquals(0.05, c.controlPeriod_s());
        assertEquals(400, c.maxEpisodeSteps());
        assertEquals(60, c.kp());
        assertEquals(4, c.kd());
        assertEquals(Math.toRadians(30), c.terminationAngle_rad(), 1e-12);
        assertEquals(4, c.getUpTries());
        assertEquals(100, c.blendSteps());
        assertEquals(100, c.resetKp());
        assertEquals(50, c.withMaxEpisodeSteps(50).maxEpisodeSteps());
        assertTrue(c.withActionFilter(true).actionFilter());
    }

    @Test
    void badValuesAreRejectedWithWhatWasWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RobotConfig.defaults().withMaxEpisodeSteps(0));
        assertTrue(e.getMessage().contains("maxEpisodeSteps must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RobotConfig.defaults().withTempLimits(50, 65));
        assertTrue(e.getMessage().contains("the driver cuts at 60"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RobotConfig.defaults().withTempLimits(55, 52));
        assertTrue(e.getMessage().contains("warn < stop"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RobotConfig.defaults().withTerminationAngle(2.0));
        assertTrue(e.getMessage().contains("termination angle"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RobotConfig.defaults().withBlendSteps(0));
        assertTrue(e.getMessage().contains("blendSteps"), e.getMessage());
        RobotConfig d = RobotConfig.defaults();
        e = assertThrows(IllegalArgumentException.class, () -> new RobotConfig(0.5, 400, 2000, 0.5, 60, 4, 20, 0.5, false,
                3, 0.05, 33, 0.25, 50, 57, 0.25, 4, 0.3, 0.2, 100, 100, 1, 2));
        assertTrue(e.getMessage().contains("watchdog"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RobotConfig(0.05, 400, 2000, 0.5, 600, 4, 20, 0.5, false,
                3, 0.05, 33, 0.25, 50, 57, 0.25, 4, 0.3, 0.2, 100, 100, 1, 2));
        assertTrue(e.getMessage().contains("kp must be in (0, 500]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RobotConfig(0.05, 400, 2000, 0.5, 60, 4, 20, 0.5, true,
                12, 0.05, 33, 0.25, 50, 57, 0.25, 4, 0.3, 0.2, 100, 100, 1, 2));
        assertTrue(e.getMessage().contains("cutoff"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RobotConfig(0.05, 400, 2000, 0.5, 60, 4, 20, 0.5, false,
                3, 0.05, 40, 0.25, 50, 57, 0.25, 4, 0.3, 0.2, 100, 100, 1, 2));
        assertTrue(e.getMessage().contains("33.5"), e.getMessage());
        assertEquals(d, RobotConfig.defaults());
    }
}
