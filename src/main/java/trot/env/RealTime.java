package trot.env;

/**
 * Marks an {@link Environment} that runs in real time (a robot): its {@link Environment#step} sends the command,
 * calls {@link Pacer#commandSent}, waits with {@link Pacer#awaitNextPeriod} and then observes, so the world's clock,
 * not the caller, sets the pace. A trainer given such an environment runs the real-time schedule (a control thread
 * that never waits on learning) instead of stepping and learning in turn; it reads the pacer's period and, when the
 * pacer is the runtime's own, its jitter statistics.
 *
 * <p>A real-time environment is not {@link Resumable} (its state is the world's) and is its own evaluation
 * environment (one robot).
 */
public interface RealTime {
    /** The pacer this environment steps with; the same object for the environment's whole life. */
    Pacer pacer();
}
