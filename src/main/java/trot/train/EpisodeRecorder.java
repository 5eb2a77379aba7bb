package trot.train;

import trot.runtime.Rollout;

import java.io.IOException;

/**
 * Records one evaluation episode (a video, for example): it sees the episode's reset and steps as a
 * {@link Rollout.Observer} and is closed after the episode's last step, even when the episode failed. A recorder
 * must not change what it observes: an evaluation with one gives the returns of an evaluation without.
 */
public interface EpisodeRecorder extends Rollout.Observer, AutoCloseable {
    /** Finishes the recording (writes its file). */
    @Override
    void close() throws IOException;
}
