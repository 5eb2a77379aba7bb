package trot.cli;

import trot.env.Environment;
import trot.env.classic.Pendulum;

import java.util.Locale;

/** The environments the command line knows, with the training defaults that suit each. */
enum Tasks {
    PENDULUM("pendulum", 6_000, 1_000, 500, 5) {
        @Override
        Environment create() {
            return new Pendulum();
        }
    };

    final String id;
    final long defaultSteps;
    final long defaultRandomSteps;
    final long defaultEvalInterval;
    final int defaultEvalEpisodes;

    Tasks(String id, long defaultSteps, long defaultRandomSteps, long defaultEvalInterval, int defaultEvalEpisodes) {
        this.id = id;
        this.defaultSteps = defaultSteps;
        this.defaultRandomSteps = defaultRandomSteps;
        this.defaultEvalInterval = defaultEvalInterval;
        this.defaultEvalEpisodes = defaultEvalEpisodes;
    }

    /** A new, unseeded instance. */
    abstract Environment create();

    static Tasks byName(String name) {
        for (Tasks t : values()) {
            if (t.id.equals(name.toLowerCase(Locale.ROOT))) {
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
