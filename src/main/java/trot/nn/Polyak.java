package trot.nn;

import java.util.List;

/**
 * Polyak averaging of a target network: {@code target = rho * target + (1 - rho) * source} with
 * {@code rho = 1 - tau} (the paper's line "phi_targ <- rho phi_targ + (1 - rho) phi"; SAC's tau = 0.005).
 */
public final class Polyak {
    private Polyak() {
    }

    /**
     * Moves every target parameter a fraction {@code tau} of the way to its source parameter.
     *
     * @throws IllegalArgumentException when tau is outside [0, 1] or the lists differ in structure
     */
    public static void update(List<Param> target, List<Param> source, float tau) {
        if (!(tau >= 0f && tau <= 1f)) {
            throw new IllegalArgumentException("Polyak.update: tau must be in [0, 1], got " + tau);
        }
        Param.checkSameStructure("Polyak.update", target, source);
        final float keep = 1f - tau;
        for (int k = 0, np = target.size(); k < np; k++) {
            final float[] t = target.get(k).value.data, s = source.get(k).value.data;
            for (int i = 0, n = t.length; i < n; i++) {
                t[i] = keep * t[i] + tau * s[i];
            }
        }
    }
}
