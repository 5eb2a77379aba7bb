package trot.env;

import java.util.Arrays;

/**
 * What an environment looks like from outside: sizes, the action bounds in the environment's own units, the
 * episode time limit and the control period.
 *
 * <p>The agent acts in {@code [-1, 1]} per action dimension (a tanh-squashed policy); {@link #scaleAction} and
 * {@link #scaleActions} map that box linearly onto {@code [actionLow_i, actionHigh_i]}, the units that
 * {@link Environment#step} takes (newton-metres for the pendulum; the A1 task takes [-1, 1] itself and maps it to joint targets).
 *
 * @param name                 a short identifier for logs and checkpoints, for example {@code Pendulum}
 * @param observationSize      number of floats in an observation
 * @param actionSize           number of floats in an action
 * @param actionLow            lower bound of each action dimension, in the environment's units (copied)
 * @param actionHigh           upper bound of each action dimension, in the environment's units (copied)
 * @param maxEpisodeSteps      the time limit: the step that reaches it reports
 *                             {@linkplain StepResult#truncated truncated}
 * @param controlPeriodSeconds seconds of (simulated or real) time between two steps
 */
public record EnvSpec(String name, int observationSize, int actionSize, float[] actionLow, float[] actionHigh,
                      int maxEpisodeSteps, double controlPeriodSeconds) {

    /**
     * @throws IllegalArgumentException for a blank name, a non-positive size or step limit, a bounds array that
     *                                  is missing or not of length {@code actionSize}, a bound that is not finite,
     *                                  {@code low >= high} in some dimension, or a control period that is not a
     *                                  positive finite number of seconds
     */
    public EnvSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("EnvSpec: the name must not be empty; give the environment a short identifier");
        }
        String who = "EnvSpec " + name + ": ";
        if (observationSize <= 0 || actionSize <= 0) {
            throw new IllegalArgumentException(who + "observation and action sizes must be positive, got "
                    + observationSize + " and " + actionSize);
        }
        if (actionLow == null || actionHigh == null) {
            throw new IllegalArgumentException(who + "actionLow and actionHigh must be given (one bound per action dimension)");
        }
        if (actionLow.length != actionSize || actionHigh.length != actionSize) {
            throw new IllegalArgumentException(who + "actionLow has " + actionLow.length + " entries and actionHigh "
                    + actionHigh.length + ", expected actionSize = " + actionSize + " each");
        }
        actionLow = actionLow.clone();
        actionHigh = actionHigh.clone();
        for (int i = 0; i < actionSize; i++) {
            if (!Float.isFinite(actionLow[i]) || !Float.isFinite(actionHigh[i])) {
                throw new IllegalArgumentException(who + "action bounds must be finite, got [" + actionLow[i] + ", "
                        + actionHigh[i] + "] for dimension " + i);
            }
            if (!(actionLow[i] < actionHigh[i])) {
                throw new IllegalArgumentException(who + "action bounds need low < high, got [" + actionLow[i] + ", "
                        + actionHigh[i] + "] for dimension " + i);
            }
        }
        if (maxEpisodeSteps <= 0) {
            throw new IllegalArgumentException(who + "maxEpisodeSteps must be positive, got " + maxEpisodeSteps);
        }
        if (!(controlPeriodSeconds > 0.0) || Double.isInfinite(controlPeriodSeconds)) {
            throw new IllegalArgumentException(who + "the control period must be a positive finite number of seconds, got "
                    + controlPeriodSeconds);
        }
    }

    /** A copy of the lower action bounds. */
    @Override
    public float[] actionLow() {
        return actionLow.clone();
    }

    /** A copy of the upper action bounds. */
    @Override
    public float[] actionHigh() {
        return actionHigh.clone();
    }

    /** Lower bound of action dimension {@code i} (no copy). */
    public float actionLow(int i) {
        return actionLow[i];
    }

    /** Upper bound of action dimension {@code i} (no copy). */
    public float actionHigh(int i) {
        return actionHigh[i];
    }

    /**
     * Maps {@code unit} in {@code [-1, 1]} linearly onto {@code [low_i, high_i]}:
     * {@code a = ((1 - u) low_i + (1 + u) high_i) / 2}, computed in double so that -1 gives {@code low_i}, 1 gives
     * {@code high_i} and 0 the midpoint exactly. A {@code unit} outside {@code [-1, 1]} is first clamped to it, so
     * the result never leaves the bounds; NaN stays NaN (and {@link Environment#step} rejects it).
     */
    public float scaleAction(int i, float unit) {
        double u = Math.max(-1.0, Math.min(1.0, unit));
        double a = 0.5 * ((1.0 - u) * actionLow[i] + (1.0 + u) * actionHigh[i]);
        return (float) Math.max(actionLow[i], Math.min(actionHigh[i], a));
    }

    /**
     * {@link #scaleAction} for every dimension: {@code out[i] = scaleAction(i, unit[i])}. {@code out} may be
     * {@code unit} itself. Allocates nothing.
     *
     * @throws IllegalArgumentException when either array is not of length {@code actionSize}
     */
    public void scaleActions(float[] unit, float[] out) {
        if (unit == null || out == null || unit.length != actionSize || out.length != actionSize) {
            throw new IllegalArgumentException("EnvSpec " + name + ".scaleActions: unit and out must have actionSize = "
                    + actionSize + " entries, got " + length(unit) + " and " + length(out));
        }
        for (int i = 0; i < actionSize; i++) {
            out[i] = scaleAction(i, unit[i]);
        }
    }

    /**
     * Checks an action in the environment's units before it is applied: length {@code actionSize}, every entry
     * finite. Environments call this first in {@link Environment#step}; it allocates nothing unless it throws.
     * Values outside the bounds are accepted (each environment clips or rejects them as its hardware requires).
     *
     * @throws IllegalArgumentException naming the environment, the index and the value
     */
    public void checkAction(float[] action) {
        if (action == null) {
            throw new IllegalArgumentException(name + ".step: the action is null");
        }
        if (action.length != actionSize) {
            throw new IllegalArgumentException(name + ".step: the action has " + action.length
                    + " entries, expected actionSize = " + actionSize);
        }
        for (int i = 0; i < actionSize; i++) {
            if (!Float.isFinite(action[i])) {
                throw new IllegalArgumentException(name + ".step: action[" + i + "] is " + action[i]
                        + "; actions must be finite (a NaN usually comes from a diverged policy)");
            }
        }
    }

    /**
     * Checks that {@code observation} can receive an observation (length {@code observationSize}).
     *
     * @param who the calling method, for the message, for example {@code reset}
     * @throws IllegalArgumentException naming the environment and both lengths
     */
    public void checkObservationBuffer(String who, float[] observation) {
        if (observation == null || observation.length != observationSize) {
            throw new IllegalArgumentException(name + "." + who + ": the observation buffer must have observationSize = "
                    + observationSize + " entries, got " + length(observation));
        }
    }

    private static String length(float[] a) {
        return a == null ? "null" : Integer.toString(a.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnvSpec s && name.equals(s.name) && observationSize == s.observationSize
                && actionSize == s.actionSize && Arrays.equals(actionLow, s.actionLow)
                && Arrays.equals(actionHigh, s.actionHigh) && maxEpisodeSteps == s.maxEpisodeSteps
                && Double.compare(controlPeriodSeconds, s.controlPeriodSeconds) == 0;
    }

    @Override
    public int hashCode() {
        int h = name.hashCode();
        h = 31 * h + observationSize;
        h = 31 * h + actionSize;
        h = 31 * h + Arrays.hashCode(actionLow);
        h = 31 * h + Arrays.hashCode(actionHigh);
        h = 31 * h + maxEpisodeSteps;
        return 31 * h + Double.hashCode(controlPeriodSeconds);
    }

    @Override
    public String toString() {
        return name + ": observation " + observationSize + ", action " + actionSize + " in "
                + bounds() + ", " + maxEpisodeSteps + " steps of " + controlPeriodSeconds + " s";
    }

    private String bounds() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < actionSize; i++) {
            b.append(i == 0 ? "" : ", ").append('[').append(actionLow[i]).append(", ").append(actionHigh[i]).append(']');
        }
        return b.append(']').toString();
    }
}
