package trot.train;

import org.junit.jupiter.api.Test;
import trot.env.StepResult;
import trot.env.Telemetry;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The evaluation's own arithmetic: forward speed, yaw drift (unwrapped, from the heading at reset), falls. */
class EvaluatorTest {

    /** Turns by {@code turn_rad} every step starting from yaw 3.0 rad, so it crosses +-pi; moves at 0.5 m/s. */
    static final class Turning extends OneDimensionalEnvironment implements Telemetry {
        final double turn_rad;
        final boolean falls;
        double yaw;

        Turning(double turn_rad, boolean falls) {
            super("turning", 4);
            this.turn_rad = turn_rad;
            this.falls = falls;
        }

        @Override
        public void reset(float[] observation) {
            super.reset(observation);
            yaw = 3.0;
        }

        @Override
        public void step(float[] action, StepResult out) {
            step++;
            yaw = Math.IEEEremainder(yaw + turn_rad, 2 * Math.PI);
            out.observation[0] = step;
            out.reward = 1;
            out.terminated = falls && step == 2;
            out.truncated = !out.terminated && step == spec.maxEpisodeSteps();
        }

        @Override
        public List<String> telemetryNames() {
            return List.of("forward_speed_mps", "yaw_rad");
        }

        @Override
        public void telemetry(double[] out) {
            out[0] = 0.5;
            out[1] = yaw;
        }
    }

    @Test
    void yawDriftCountsEveryStepFromResetAcrossTheWrap() {
        Evaluator.Result r = new Evaluator(new Turning(0.1, false), 2, 1).run((obs, action) -> action[0] = 0);
        assertEquals(0.4, r.meanYawDrift(), 1e-9, "4 steps of 0.1 rad, the yaw wrapping from +pi to -pi on the way");
        assertEquals(0.5, r.meanForwardSpeed(), 1e-12);
        assertEquals(0, r.falls());
        assertEquals(4, r.meanLength());
    }

    @Test
    void aTerminatedEpisodeIsAFall() {
        Evaluator.Result r = new Evaluator(new Turning(-0.2, true), 3, 1).run((obs, action) -> action[0] = 0);
        assertEquals(3, r.falls());
        assertEquals(2, r.meanLength());
        assertEquals(0.4, r.meanYawDrift(), 1e-9);
    }
}
