package trot.train;

/** A snapshot of a running training, rewritten after every environment step (copy what you keep). */
public final class Progress {
    public long step;
    public long totalSteps;
    public long episodes;
    /** Return of the last finished training episode (NaN before the first). */
    public double lastEpisodeReturn = Double.NaN;
    /** Mean return of the last evaluation (NaN before the first). */
    public double lastEvalReturn = Double.NaN;
    public double alpha = Double.NaN;
    public double criticLoss = Double.NaN;
    /** Seconds of the last learner update. */
    public double updateSeconds = Double.NaN;
    /** Environment steps per second of wall-clock time since the start. */
    public double stepsPerSecond;
    public double elapsedSeconds;
    /** True during the random-action phase. */
    public boolean warmingUp;
}
