package trot.agent;

import org.jblas.FloatMatrix;

/** Where the learner's reparameterisation noise comes from (tests inject fixed noise). */
public interface NoiseSource {
    /** Fills {@code out} with standard normal samples. Must not allocate. */
    void fill(FloatMatrix out);
}
