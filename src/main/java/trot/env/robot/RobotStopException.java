package trot.env.robot;

/**
 * The run on the robot cannot go on: the robot has been damped and the caller must stop (a trainer saves what it
 * has and exits; the operator fixes what {@link #getMessage} says and resumes). Distinct from the end of an episode
 * (a fall, a joint near its limit, torque saturation: {@link trot.env.StepResult#terminated}), after which
 * {@link A1Robot#reset} gets the robot up by itself.
 */
public final class RobotStopException extends RuntimeException {
    /** Why the run stopped. */
    public enum Reason {
        /** The serial link went away, or no State came for the stale limit. */
        LINK_LOST,
        /** A motor reached the stop temperature (or the device latched OVER_TEMPERATURE). */
        OVER_TEMPERATURE,
        /** An operator e-stop ({@link A1Robot#estop}), or an ESTOP latched on the device by someone else. */
        ESTOP,
        /** The host's learner or runtime failed and asked for damping ({@link A1Robot#damp}). */
        HOST_FAILURE,
        /** The get-up routine failed on every try. */
        GET_UP_FAILED,
        /** The device latched a fault the host cannot clear by itself (a sensor reading NaN, a refused handshake). */
        DEVICE_FAULT,
        /** {@link A1Robot#close} was called. */
        CLOSED
    }

    private final Reason reason;

    public RobotStopException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
