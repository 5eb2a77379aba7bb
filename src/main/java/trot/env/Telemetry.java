package trot.env;

import java.util.List;

/**
 * Optional: an environment that can report physical quantities beyond its observation (forward speed, heading,
 * foot contacts, ...) for evaluation reports and plots. Reading must not allocate.
 */
public interface Telemetry {
    /** Names of the values {@link #telemetry} writes, with units in the name (forward_speed_mps, yaw_rad, ...). */
    List<String> telemetryNames();

    /** Writes the current values, in the order of {@link #telemetryNames}, into {@code out}. */
    void telemetry(double[] out);
}
