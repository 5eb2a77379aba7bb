package trot.train;

/**
 * Learning stopped because a NaN or an infinity appeared in a loss, a weight or an action. The message names
 * where and at which step, and which snapshot was kept (the last one written before it, never one after).
 */
public final class DivergenceException extends RuntimeException {
    private final long step;

    public DivergenceException(String message, long step) {
        super(message);
        this.step = step;
    }

    /** The environment step at which it was found. */
    public long step() {
        return step;
    }
}
