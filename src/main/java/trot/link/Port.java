package trot.link;

import java.io.IOException;

/**
 * The one narrow interface between the link and a byte stream to the device: a serial port ({@link JSerialPort}),
 * or a test's in-memory pipe. Reads happen on the link's reader thread, writes on the senders' threads (one at a
 * time: the link serialises them).
 */
public interface Port {
    /**
     * Reads up to {@code max} bytes into {@code buf[offset..]}, waiting at most about 100 ms for the first.
     *
     * @return the bytes read (0 when none arrived in time), or -1 when the port is gone (unplugged, or the peer
     *         closed it)
     * @throws IOException when the port failed; the link treats it as gone
     */
    int read(byte[] buf, int offset, int max) throws IOException;

    /**
     * Writes {@code n} bytes from {@code buf[offset..]}, all of them.
     *
     * @throws IOException when the port is gone or the bytes could not all be written
     */
    void write(byte[] buf, int offset, int n) throws IOException;

    /** Bytes written and not yet sent on the line, or 0 when the port cannot tell. */
    int queuedBytes();

    /** Closes the port; idempotent, never throws. */
    void close();

    /** What the port is, for messages ("/dev/ttyACM0"). */
    String name();

    /** Opens a {@link Port}: the link calls it again after the port is lost, until it succeeds. */
    @FunctionalInterface
    interface Opener {
        /**
         * @throws PortException when the port cannot be opened; its reason says whether it does not exist (as while
         *                       the device is unplugged), is busy, or lacks permission
         */
        Port open() throws PortException;
    }
}
