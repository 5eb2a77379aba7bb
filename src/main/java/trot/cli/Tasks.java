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
        Environment create(Path model) {
            return new A1Walk(A1Walk.Config.paper(model != null ? model : defaultA1Model()));
        }
    },
    /** The classic pendulum swing-up (pure Java), a quick check of a learner. */
    PENDULUM("pendulum", "Pendulum", 6_000, 1_000, 500, 5, 1_000) {
        @Override
        Environment create(Path model) {
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

    /** A new, unseeded instance; {@code model} replaces the default MJCF file of a MuJoCo task (null: default). */
    abstract Environment create(Path model);

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
