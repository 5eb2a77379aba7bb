package trot.nn;

import org.jblas.FloatMatrix;

import java.util.List;

/**
 * A learnable tensor: its value and the gradient that backward passes accumulate into, of the same shape.
 *
 * <p>Layers that share a {@code Param} (a training instance at batch 256 and an acting instance at batch 1)
 * read the same values and accumulate into the same gradient.
 */
public final class Param {
    /** Name unique within its network, for example {@code fc0.weight}; used by fixtures and checkpoints. */
    public final String name;
    public final FloatMatrix value;
    public final FloatMatrix grad;

    public Param(String name, int rows, int columns) {
        if (rows <= 0 || columns <= 0) {
            throw new IllegalArgumentException("Param " + name + ": shape must be positive, got " + rows + "x" + columns);
        }
        this.name = name;
        this.value = new FloatMatrix(rows, columns);
        this.grad = new FloatMatrix(rows, columns);
    }

    public int size() {
        return value.length;
    }

    /** Sets the gradient to zero. */
    public void zeroGrad() {
        java.util.Arrays.fill(grad.data, 0f);
    }

    /** Sets every gradient in {@code params} to zero. */
    public static void zeroGrads(List<Param> params) {
        for (int i = 0, n = params.size(); i < n; i++) {
            params.get(i).zeroGrad();
        }
    }

    /** Total number of scalars in {@code params}. */
    public static int count(List<Param> params) {
        int n = 0;
        for (Param p : params) {
            n += p.size();
        }
        return n;
    }

    /**
     * Copies the values of {@code from} into {@code to}, matched by position; names and shapes must agree.
     *
     * @throws IllegalArgumentException when the lists do not have the same structure
     */
    public static void copyValues(List<Param> from, List<Param> to) {
        checkSameStructure("Param.copyValues", from, to);
        for (int i = 0; i < from.size(); i++) {
            System.arraycopy(from.get(i).value.data, 0, to.get(i).value.data, 0, from.get(i).size());
        }
    }

    static void checkSameStructure(String who, List<Param> a, List<Param> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(who + ": " + a.size() + " parameters vs " + b.size());
        }
        for (int i = 0; i < a.size(); i++) {
            Param x = a.get(i), y = b.get(i);
            if (x.value.rows != y.value.rows || x.value.columns != y.value.columns) {
                throw new IllegalArgumentException(who + ": parameter " + i + " is " + x.name + " "
                        + x.value.rows + "x" + x.value.columns + " vs " + y.name + " " + y.value.rows + "x" + y.value.columns);
            }
            if (x == y) {
                throw new IllegalArgumentException(who + ": parameter " + x.name + " is the same object on both sides");
            }
        }
    }

    @Override
    public String toString() {
        return name + "[" + value.rows + "x" + value.columns + "]";
    }
}
