package trot.nn;

import org.jblas.FloatMatrix;

import java.util.List;

/**
 * Inverted dropout: {@code y = x * m / (1 - p)} with {@code m_i ~ Bernoulli(1 - p)} drawn anew at every
 * forward; backward {@code dx = dy * m / (1 - p)} with the same mask. Always active: dropout Q-functions
 * (DroQ) use it in the target, the critic loss and the actor loss alike, so there is no eval mode here;
 * a network without dropout simply has no Dropout layer.
 *
 * <p>Masks come from a {@link MaskSource}: by default seeded geometric skipping; tests inject fixed masks.
 * Forward saves the list of dropped units.
 */
public final class Dropout extends Layer {
    public final float rate;
    private final float scale;
    private final int[] dropped;
    private int droppedCount;
    private MaskSource masks;

    /**
     * @param rate probability of dropping a unit, in [0, 1)
     */
    public Dropout(String name, int size, int batch, float rate, MaskSource masks) {
        super(name, size, size, batch);
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("Dropout " + name + ": rate must be in [0, 1), got " + rate);
        }
        if (masks == null) {
            throw new IllegalArgumentException("Dropout " + name + ": mask source is null");
        }
        this.rate = rate;
        this.scale = (float) (1.0 / (1.0 - rate));
        this.dropped = new int[size * batch];
        this.masks = masks;
    }

    /** Replaces where masks come from (for example a fixed mask in a test); applies from the next forward. */
    public void setMaskSource(MaskSource masks) {
        if (masks == null) {
            throw new IllegalArgumentException(this + ": mask source is null");
        }
        this.masks = masks;
    }

    /** Number of units the last forward dropped. */
    public int droppedCount() {
        return droppedCount;
    }

    /** Writes the last forward's keep mask (1 kept, 0 dropped), batch x features, into {@code keep}. */
    public void lastMask(FloatMatrix keep) {
        checkShape("lastMask", "keep", keep, batch, inputSize);
        java.util.Arrays.fill(keep.data, 1f);
        for (int k = 0; k < droppedCount; k++) {
            keep.data[dropped[k]] = 0f;
        }
    }

    @Override
    protected void forwardImpl(FloatMatrix x, FloatMatrix y) {
        final int count = drawMask();
        final float[] xd = x.data, yd = y.data;
        final float s = scale;
        for (int i = 0, n = x.length; i < n; i++) {
            yd[i] = xd[i] * s;
        }
        for (int k = 0; k < count; k++) {
            yd[dropped[k]] = 0f;
        }
    }

    /** Draws this forward's mask into {@link #dropped} (ascending flat indices) and returns how many units drop. */
    int drawMask() {
        int count = masks.drop(rate, batch, inputSize, dropped);
        if (count < 0 || count > dropped.length) {
            throw new IllegalStateException(this + ": mask source returned " + count + " dropped units");
        }
        droppedCount = count;
        return count;
    }

    /** The dropped units of the last mask (the first {@link #droppedCount()} entries; read only). */
    int[] droppedIndices() {
        return dropped;
    }

    /** {@code 1 / (1 - rate)}. */
    float scale() {
        return scale;
    }

    @Override
    protected void backwardImpl(FloatMatrix dy, boolean paramGrads, FloatMatrix dx) {
        if (dx == null) {
            return;
        }
        final float[] dyd = dy.data, dxd = dx.data;
        final float s = scale;
        for (int i = 0, n = dy.length; i < n; i++) {
            dxd[i] = dyd[i] * s;
        }
        for (int k = 0; k < droppedCount; k++) {
            dxd[dropped[k]] = 0f;
        }
    }

    @Override
    public List<Param> params() {
        return List.of();
    }

    /** A dropout layer for another batch size, with the same rate and mask source. */
    @Override
    public Dropout withBatch(int batch) {
        return new Dropout(name, inputSize, batch, rate, masks);
    }

    @Override
    public String toString() {
        return "Dropout " + name + " (" + inputSize + ", rate " + rate + ", batch " + batch + ")";
    }
}
