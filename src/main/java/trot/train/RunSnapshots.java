package trot.train;

import trot.agent.LearnerConfig;
import trot.io.Snapshot;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration a run's snapshot records in its metadata, and how to read it back: {@code learner.preset}
 * and {@code learner.<key>} for every {@link LearnerConfig#values()} key, {@code settings.<field>} for every
 * {@link TrainingSettings} field, {@code environment}, {@code observation_size}, {@code action_size}.
 */
public final class RunSnapshots {
    private RunSnapshots() {
    }

    static void describe(Snapshot.Builder b, LearnerConfig config, TrainingSettings s) {
        b.meta("learner.preset", config.preset());
        for (Map.Entry<String, String> e : config.values().entrySet()) {
            b.meta("learner." + e.getKey(), e.getValue());
        }
        b.meta("settings.steps", Long.toString(s.steps()));
        b.meta("settings.random_steps", Long.toString(s.randomSteps()));
        b.meta("settings.eval_interval", Long.toString(s.evalInterval()));
        b.meta("settings.eval_episodes", Integer.toString(s.evalEpisodes()));
        b.meta("settings.qbias_interval", Long.toString(s.qBiasInterval()));
        b.meta("settings.qbias_episodes", Integer.toString(s.qBiasEpisodes()));
        b.meta("settings.replay_capacity", Integer.toString(s.replayCapacity()));
        b.meta("settings.seed", Long.toString(s.seed()));
    }

    /**
     * The learner configuration the snapshot's run used.
     *
     * @throws IllegalArgumentException naming the file when the metadata is missing or does not parse
     */
    public static LearnerConfig config(Snapshot snap) {
        try {
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : snap.meta().entrySet()) {
                if (e.getKey().startsWith("learner.") && !e.getKey().equals("learner.preset")) {
                    values.put(e.getKey().substring("learner.".length()), e.getValue());
                }
            }
            return LearnerConfig.preset(snap.meta("learner.preset")).withAll(values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("snapshot " + snap.source() + ": unreadable learner configuration: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The training settings the snapshot's run used.
     *
     * @throws IllegalArgumentException naming the file when the metadata is missing or does not parse
     */
    public static TrainingSettings settings(Snapshot snap) {
        try {
            return new TrainingSettings(Long.parseLong(snap.meta("settings.steps")),
                    Long.parseLong(snap.meta("settings.random_steps")), Long.parseLong(snap.meta("settings.eval_interval")),
                    Integer.parseInt(snap.meta("settings.eval_episodes")), Long.parseLong(snap.meta("settings.qbias_interval")),
                    Integer.parseInt(snap.meta("settings.qbias_episodes")), Integer.parseInt(snap.meta("settings.replay_capacity")),
                    Long.parseLong(snap.meta("settings.seed")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("snapshot " + snap.source() + ": unreadable training settings: "
                    + e.getMessage(), e);
        }
    }

    /** The configuration's values with the thread count left out: a run may resume on another number of threads. */
    static Map<String, String> withoutThreads(LearnerConfig c) {
        Map<String, String> m = new LinkedHashMap<>(c.values());
        m.remove("threads");
        m.put("preset", c.preset());
        return m;
    }
}
