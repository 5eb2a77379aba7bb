package trot.cli;

import trot.env.Environment;
import trot.env.classic.Pendulum;
import trot.env.sim.A1Walk;

import java.nio.file.Path;
import java.util.Locale;

/** The environments the command line knows, with the training defaults that suit each. */
enum Tasks {
    /** The paper's task: the Unitree A1 learning to walk at 0.5 m/s in MuJoCo; 24,000 steps are its 20 minutes. */
    A1("a1", "A1Walk", 24_000, 1_000, 2_000, 5, 4_000) {
        @Override
        Environment create(Path model, java.util.Map<String, String> options) {
            A1Walk.Config config = A1Walk.Config.paper(model != null ? model : defaultA1Model());
            String v = options.getOrDefault("velocity", "true");
            A1Walk.Velocity velocity = switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> A1Walk.Velocity.TRUE;
                case "estimated" -> A1Walk.Velocity.ESTIMATED;
                default -> throw new IllegalArgumentException("task option velocity=" + v + ": choose velocity=true (the"
                        + " simulator's velocimeter, the default) or velocity=estimated (the real robot's Kalman filter)");
            };
            for (String k : options.keySet()) {
                if (!OPTION_KEYS.contains(k)) {
                    throw new IllegalArgumentException("the a1 task has no option '" + k + "'; its options: " + OPTION_KEYS);
                }
            }
            String angular = options.getOrDefault("angular-term",
                    Boolean.toString(trot.env.estimation.VelocityEstimator.Config.DEFAULT_ANGULAR_TERM));
            if (!angular.equals("true") && !angular.equals("false")) {
                throw new IllegalArgumentException("task option angular-term=" + angular + ": choose true (the estimator's"
                        + " leg measurement includes -omega x r_foot, the default) or false (the reference's, without)");
            }
            return velocity == A1Walk.Velocity.TRUE ? new A1Walk(config) : new A1Walk(config, velocity,
                    trot.env.estimation.VelocityEstimator.Config.reference().withAngularTerm(Boolean.parseBoolean(angular)));
        }
    },
    /** The classic pendulum swing-up (pure Java), a quick check of a learner. */
    PENDULUM("pendulum", "Pendulum", 6_000, 1_000, 500, 5, 1_000) {
        @Override
        Environment create(Path model, java.util.Map<String, String> options) {
            if (!options.isEmpty()) {
                throw new IllegalArgumentException("the pendulum has no task options, got " + options.keySet());
            }
            if (model != null) {
                throw new IllegalArgumentException("the pendulum has no model file; --model is for MuJoCo tasks");
            }
            return new Pendulum();
        }
    };

    /** hardware/a1/a1.xml under trot's home directory (set by ./trot as trot.home; else the working directory). */
    static Path defaultA1Model() {
        return Path.of(System.getProperty("trot.home", "."), "hardware", "a1", "a1.xml");
    }

    final String id;
    /** The environment's {@link trot.env.EnvSpec#name()}, which checkpoints record. */
    final String specName;
    final long defaultSteps;
    final long defaultRandomSteps;
    final long defaultEvalInterval;
    final int defaultEvalEpisodes;
    final long defaultQBiasInterval;

    Tasks(String id, String specName, long defaultSteps, long defaultRandomSteps, long defaultEvalInterval,
          int defaultEvalEpisodes, long defaultQBiasInterval) {
        this.id = id;
        this.specName = specName;
        this.defaultSteps = defaultSteps;
        this.defaultRandomSteps = defaultRandomSteps;
        this.defaultEvalInterval = defaultEvalInterval;
        this.defaultEvalEpisodes = defaultEvalEpisodes;
        this.defaultQBiasInterval = defaultQBiasInterval;
    }

    /**
     * Task options, set on the command line like learner values ({@code --set velocity=estimated}): {@code velocity}
     * = {@code true} (the simulator's velocimeter, default) or {@code estimated} (the A1's velocity Kalman filter,
     * {@link trot.env.estimation.VelocityEstimator}, for the observation and the reward); {@code angular-term} =
     * {@code true} (default) or {@code false}: whether the estimator's leg measurement includes {@code -omega x r}.
     */
    static final java.util.Set<String> OPTION_KEYS = java.util.Set.of("velocity", "angular-term");

    /** A new, unseeded instance; {@code model} replaces the default MJCF file of a MuJoCo task (null: default). */
    Environment create(Path model) {
        return create(model, java.util.Map.of());
    }

    /**
     * The same with task options ({@link #OPTION_KEYS}).
     *
     * @throws IllegalArgumentException for an option the task does not have or a value it does not know
     */
    abstract Environment create(Path model, java.util.Map<String, String> options);

    static Tasks byName(String name) {
        for (Tasks t : values()) {
            if (t.id.equals(name.toLowerCase(Locale.ROOT)) || t.specName.equals(name)) {
                return t;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Tasks t : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(t.id);
        }
        throw new IllegalArgumentException("unknown environment '" + name + "': choose one of " + known);
    }
}
