package trot.link;

import java.io.IOException;

/** A port could not be opened or used; {@link #reason()} says why, the message what to do. */
public final class PortException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a port could not be opened. */
    public enum Reason {
        /** No such device (a wrong path, or the device is unplugged). */
        NOT_FOUND,
        /** Another program has it open (jSerialComm takes an exclusive lock). */
        BUSY,
        /** This user may not open it (not in the dialout group). */
        PERMISSION,
        /** jSerialComm's native library did not load. */
        NATIVE_LIBRARY,
        /** Anything else. */
        OTHER
    }

    private final Reason reason;

    public PortException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PortException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
