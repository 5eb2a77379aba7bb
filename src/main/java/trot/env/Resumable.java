package trot.env;

import trot.util.StateReader;
import trot.util.StateWriter;

/**
 * An environment whose state can be written to a snapshot and restored, so that a run resumed from the
 * snapshot continues with bitwise the episodes the uninterrupted run would have had.
 *
 * <p>Some environments can be captured at any step ({@link classic.Pendulum}); others only right after a reset
 * ({@link sim.A1Walk}: its generator before the reset, so that a reset after the restore draws the same terrain,
 * friction and start). {@link #canCapture} says which moment is this one; a trainer that wants a snapshot waits
 * for a step boundary where it is true. A real robot is not resumable: its state is the world's.
 */
public interface Resumable {

    /** Whether {@link #saveState} can capture the environment now (between steps). */
    boolean canCapture();

    /**
     * Writes the environment's state (entries named {@code env.*}).
     *
     * @throws IllegalStateException when {@link #canCapture} is false
     */
    void saveState(StateWriter out);

    /**
     * Restores a state written by {@link #saveState} of the same task and writes the observation of that state
     * into {@code observation}. The environment is then as it was when saved: mid-episode, or right after a reset.
     *
     * @throws IllegalArgumentException (from {@code in}) when the snapshot lacks the entries or they do not fit
     */
    void restoreState(StateReader in, float[] observation);
}
