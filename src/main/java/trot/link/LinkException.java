package trot.link;

/** The link cannot run: the device refused the handshake, did not answer, or the link was closed. */
public final class LinkException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The device speaks another protocol version. */
        VERSION_MISMATCH,
        /** The device refused the State period asked for. */
        REFUSED_PERIOD,
        /** The device refused the Hello for a reason v1 does not know. */
        REFUSED,
        /** No session within the time allowed. */
        TIMEOUT,
        /** The link was closed. */
        CLOSED
    }

    private final Kind kind;

    public LinkException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
