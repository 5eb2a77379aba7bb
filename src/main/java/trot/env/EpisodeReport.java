package trot.env;

import java.util.Map;

/**
 * Optional, beside {@link Telemetry}: an environment that says why its episodes end and under what conditions each
 * was drawn, for per-episode evaluation reports. An environment without it still gets a report: the end then follows
 * from the step flags ({@link EpisodeEnd#of}) and there are no conditions.
 */
public interface EpisodeReport {
    /**
     * Why the episode that ended last ended: set by the {@link Environment#step} that reported {@code terminated} or
     * {@code truncated}; null before any episode ended. Must not allocate.
     */
    EpisodeEnd lastEpisodeEnd();

    /**
     * What the current episode was drawn with, read after {@link Environment#reset}: names (with units where they have
     * one) to printable values, in a stable order, the same names for every episode; for example {@code terrain = bumpy},
     * {@code friction = 0.912}. None by default.
     */
    default Map<String, String> episodeConditions() {
        return Map.of();
    }
}
