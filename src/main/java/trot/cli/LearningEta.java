package trot.cli;

/**
 * The training time estimate, from the steps that learn. The random-action steps at the start of a run cost almost
 * nothing (no update), so a rate averaged over the whole run promises far too early an end (6 minutes left of a
 * 30-minute run, seen on the A1 task). This estimator measures the two phases apart: the remaining time is
 * {@code (total - step) / r_learn}, with {@code r_learn} the steps per second since the first learning step it saw
 * (so it includes the evaluations and snapshots that interrupt learning, and a resumed run measures only its own
 * steps). Before learning, the remaining time is unknown (NaN) and only the random phase is estimated, from the
 * random steps' own rate.
 *
 * <p>It takes the times it is given (the trainer's elapsed seconds), so it runs on any clock, a test's too.
 */
final class LearningEta {
    /** Learning steps and seconds the estimate needs before it gives a number. */
    static final long MIN_STEPS = 5;
    static final double MIN_SECONDS = 0.5;

    private final long totalSteps, randomSteps;
    private long learnStep0 = -1, randomStep0 = -1;
    private double learnTime0, randomTime0;
    private double eta_s = Double.NaN, learningIn_s = Double.NaN, rate = Double.NaN;

    /**
     * @param totalSteps  the run's steps
     * @param randomSteps its random-action steps (learning starts after them)
     * @throws IllegalArgumentException for a negative count or more random steps than steps
     */
    LearningEta(long totalSteps, long randomSteps) {
        if (totalSteps < 0 || randomSteps < 0 || randomSteps > totalSteps) {
            throw new IllegalArgumentException("LearningEta: need 0 <= random steps <= steps, got " + randomSteps
                    + " and " + totalSteps);
        }
        this.totalSteps = totalSteps;
        this.randomSteps = randomSteps;
    }

    /**
     * Books the progress: {@code step} steps done after {@code elapsed_s} seconds, the last of them a random-action
     * step when {@code warmingUp}.
     */
    void observe(long step, double elapsed_s, boolean warmingUp) {
        if (warmingUp) {
            if (randomStep0 < 0) {
                randomStep0 = step;
                randomTime0 = elapsed_s;
            }
            learningIn_s = remaining(step - randomStep0, elapsed_s - randomTime0, randomSteps - step);
            rate = rate(step - randomStep0, elapsed_s - randomTime0);
            eta_s = Double.NaN;
            return;
        }
        learningIn_s = Double.NaN;
        if (learnStep0 < 0) {
            learnStep0 = step;
            learnTime0 = elapsed_s;
        }
        rate = rate(step - learnStep0, elapsed_s - learnTime0);
        eta_s = step >= totalSteps ? 0 : remaining(step - learnStep0, elapsed_s - learnTime0, totalSteps - step);
    }

    private static double remaining(long steps, double seconds, long left) {
        if (steps < MIN_STEPS || seconds < MIN_SECONDS) {
            return Double.NaN;
        }
        return Math.max(0, left) * seconds / steps;
    }

    private static double rate(long steps, double seconds) {
        return steps < MIN_STEPS || seconds < MIN_SECONDS ? Double.NaN : steps / seconds;
    }

    /** Steps per second of the current phase (random or learning); NaN before it is known. */
    double stepsPerSecond() {
        return rate;
    }

    /** Seconds left in the run, from the learning steps' rate; NaN before it is known. */
    double eta_s() {
        return eta_s;
    }

    /** During the random-action phase: seconds until learning starts, from the random steps' rate (else NaN). */
    double learningIn_s() {
        return learningIn_s;
    }
}
