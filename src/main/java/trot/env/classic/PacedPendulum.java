package trot.env.classic;

import trot.env.EnvSpec;
import trot.env.Environment;
import trot.env.Pacer;
import trot.env.RealTime;
import trot.env.StepResult;

/**
 * The pendulum as a world that keeps its own time: a {@link Pendulum} stepped under a {@link Pacer}, the way a
 * robot's environment is. {@code step} takes the command at once, tells the pacer ({@link Pacer#commandSent}),
 * waits for the next period ({@link Pacer#awaitNextPeriod}) and only then advances the physics by one
 * {@link Pendulum#DT} and observes, as a robot reads its newest state after the period. For the real-time schedule
 * without a robot (tests, {@code trot train -e pendulum --realtime}); the pacer's period need not be {@code DT}.
 * Not {@code Resumable}: a real-time world's state is the world's.
 */
public final class PacedPendulum implements Environment, RealTime {
    private final Pendulum pendulum;
    private final Pacer pacer;
    private final float[] command = new float[1];

    public PacedPendulum(Pacer pacer, long seed) {
        if (pacer == null) {
            throw new IllegalArgumentException("PacedPendulum: the pacer is null");
        }
        this.pendulum = new Pendulum(seed);
        this.pacer = pacer;
    }

    @Override
    public Pacer pacer() {
        return pacer;
    }

    @Override
    public EnvSpec spec() {
        return pendulum.spec();
    }

    @Override
    public void seed(long seed) {
        pendulum.seed(seed);
    }

    /** Starts an episode and waits for the start of a period to observe it. */
    @Override
    public void reset(float[] observation) {
        pendulum.reset(observation);
        pacer.awaitNextPeriod();
    }

    @Override
    public void step(float[] action, StepResult out) {
        spec().checkAction(action);
        command[0] = action[0];        // "sent"
        pacer.commandSent();
        pacer.awaitNextPeriod();
        pendulum.step(command, out);   // the world moved during the period; observe it now
    }
}
