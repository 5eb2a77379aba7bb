package trot.env;

/**
 * Why an episode ended, in words a report can print: the time limit, a fall (the trunk tilted past the termination
 * angle), one of a real robot's interlocks, a simulation that became unstable, or the run stopping in the middle.
 * {@link #label} is the one-word form the per-episode report prints and writes: {@code time-limit}, {@code tilt},
 * {@code interlock:<name>}, {@code sim-unstable}, {@code terminated} (a termination the environment did not explain),
 * {@code stopped:<reason>}.
 *
 * <p>Environments keep their ends as constants (no allocation per step); {@link EpisodeReport} hands the last one out.
 *
 * @param kind   the class of end
 * @param detail which interlock or stop reason (lower case, words joined by '-'); empty for the others
 */
public record EpisodeEnd(Kind kind, String detail) {
    /** The classes of episode ends. */
    public enum Kind {
        /** The episode reached its step limit: a truncation, not a failure. */
        TIME_LIMIT,
        /** The trunk's roll or pitch passed the termination angle: a fall. */
        TILT,
        /** A safety interlock of a real robot ended the episode ({@link #detail} names it). */
        INTERLOCK,
        /** The physics simulation became numerically unstable. */
        SIM_UNSTABLE,
        /** A termination the environment does not explain further. */
        TERMINATED,
        /** The run stopped during the episode (an e-stop, a lost link, ...; {@link #detail} says which). */
        STOPPED
    }

    public static final EpisodeEnd TIME_LIMIT = new EpisodeEnd(Kind.TIME_LIMIT, "");
    public static final EpisodeEnd TILT = new EpisodeEnd(Kind.TILT, "");
    public static final EpisodeEnd SIM_UNSTABLE = new EpisodeEnd(Kind.SIM_UNSTABLE, "");
    public static final EpisodeEnd TERMINATED = new EpisodeEnd(Kind.TERMINATED, "");

    /**
     * @throws IllegalArgumentException for a missing kind, a missing detail of an interlock or a stop, or a detail
     *                                  that is not lower-case words joined by '-' (it becomes part of a CSV field)
     */
    public EpisodeEnd {
        if (kind == null) {
            throw new IllegalArgumentException("EpisodeEnd: no kind; one of " + java.util.Arrays.toString(Kind.values()));
        }
        detail = detail == null ? "" : detail;
        if ((kind == Kind.INTERLOCK || kind == Kind.STOPPED) && detail.isEmpty()) {
            throw new IllegalArgumentException("EpisodeEnd " + kind + ": name the interlock or the stop reason");
        }
        if (!detail.matches("[a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("EpisodeEnd: the detail must be lower-case words joined by '-', got '"
                    + detail + "'");
        }
    }

    /** An interlock's end, for example {@code interlock("joint-limit")}. */
    public static EpisodeEnd interlock(String name) {
        return new EpisodeEnd(Kind.INTERLOCK, name);
    }

    /** The run stopped during the episode, for example {@code stopped("link-lost")}. */
    public static EpisodeEnd stopped(String reason) {
        return new EpisodeEnd(Kind.STOPPED, reason);
    }

    /** What the step flags alone say: {@link #TERMINATED} or {@link #TIME_LIMIT}; null when the episode runs on. */
    public static EpisodeEnd of(StepResult last) {
        return last.terminated ? TERMINATED : last.truncated ? TIME_LIMIT : null;
    }

    /** Whether this end is a failure (a termination or a stop), not the time limit. */
    public boolean failure() {
        return kind != Kind.TIME_LIMIT;
    }

    /** {@code time-limit}, {@code tilt}, {@code interlock:joint-limit}, ... */
    public String label() {
        String k = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return detail.isEmpty() ? k : k + ":" + detail;
    }

    @Override
    public String toString() {
        return label();
    }
}
