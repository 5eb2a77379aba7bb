package trot.link;

import com.fazecast.jSerialComm.SerialPort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A serial port through jSerialComm: 8N1, no flow control, semi-blocking reads (a read returns as soon as a byte
 * arrives, else after 100 ms, the finest read timeout jSerialComm has on Linux), opened without jSerialComm's
 * 200 ms sleep. jSerialComm takes an exclusive lock on the device, so a second program cannot open it too.
 * Works on USB serial adapters, CDC-ACM devices and pseudo-terminals (the emulator's). Reads and writes allocate
 * nothing.
 */
public final class JSerialPort implements Port {
    /** The read timeout, ms: Linux rounds jSerialComm's timeouts to tenths of a second. */
    static final int READ_TIMEOUT_MS = 100;

    private final SerialPort port;
    private final String path;

    private JSerialPort(SerialPort port, String path) {
        this.port = port;
        this.path = path;
    }

    /** An opener of {@code path} at {@code baud} (a pseudo-terminal ignores the baud rate). */
    /**
     * Registers {@code hook} to run at JVM shutdown <em>before</em> jSerialComm closes every port. A plain
     * {@link Runtime#addShutdownHook} runs beside jSerialComm's own hook, which closes the ports at once, so a hook
     * that wants to send a last command (damp, e-stop) and stop a run cleanly on SIGINT or SIGTERM finds its link
     * already gone. jSerialComm starts the hooks given here and waits for them, then closes the ports.
     */
    public static void addShutdownHook(Thread hook) {
        com.fazecast.jSerialComm.SerialPort.addShutdownHook(hook);
    }

    public static Port.Opener opener(String path, int baud) {
        if (baud <= 0) {
            throw new IllegalArgumentException("the baud rate must be positive, got " + baud);
        }
        return () -> open(path, baud);
    }

    /**
     * Opens {@code path}.
     *
     * @throws PortException whose reason and message say what was wrong: no such port, busy, no permission, or
     *                       jSerialComm's native library did not load
     */
    public static JSerialPort open(String path, int baud) throws PortException {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            throw new PortException(PortException.Reason.NOT_FOUND, "no serial port at " + path + ": check the path"
                    + " (a USB adapter is usually /dev/ttyUSB0 or /dev/ttyACM0: ls /dev/ttyUSB* /dev/ttyACM* /dev/serial/by-id/;"
                    + " the emulator prints its port on its first line) and that the device is plugged in");
        }
        if (!Files.isReadable(p) || !Files.isWritable(p)) {
            throw permission(path);
        }
        SerialPort port;
        try {
            port = SerialPort.getCommPort(path);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new PortException(PortException.Reason.NATIVE_LIBRARY, "jSerialComm's native library did not load ("
                    + e + "). It is unpacked into java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + "): if that"
                    + " directory is mounted noexec, start the JVM with -Djava.io.tmpdir=<a directory that allows"
                    + " executables> (or -DjSerialComm.library.path=<dir with libjSerialComm.so>)", e);
        } catch (RuntimeException e) {
            throw new PortException(PortException.Reason.OTHER, "jSerialComm cannot use " + path + ": " + e.getMessage(), e);
        }
        port.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, READ_TIMEOUT_MS, 0);
        if (!port.openPort(0)) {
            int errno = port.getLastErrorCode();
            if (errno == 13 || errno == 1) { // EACCES, EPERM
                throw permission(path);
            }
            if (!Files.exists(p)) {
                throw new PortException(PortException.Reason.NOT_FOUND, "the serial port " + path + " went away while"
                        + " opening it: check that the device is plugged in");
            }
            throw new PortException(PortException.Reason.BUSY, "cannot open " + path + " (error " + errno + "): it is"
                    + " most likely in use by another program, since each opener takes an exclusive lock: close the"
                    + " other program (find it with: fuser -v " + path + ") and try again");
        }
        return new JSerialPort(port, path);
    }

    private static PortException permission(String path) {
        return new PortException(PortException.Reason.PERMISSION, "no permission to open " + path + ": add yourself to"
                + " the group that owns it (usually dialout: sudo usermod -aG dialout $USER, then log out and in again),"
                + " or check its mode with: ls -l " + path);
    }

    @Override
    public int read(byte[] buf, int offset, int max) throws IOException {
        int n = port.readBytes(buf, max, offset);
        if (n == -2) {
            throw new IOException("jSerialComm refused a read of " + max + " bytes at " + offset + " into " + buf.length);
        }
        return n < 0 ? -1 : n;
    }

    @Override
    public void write(byte[] buf, int offset, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int k = port.writeBytes(buf, n - done, offset + done);
            if (k <= 0) {
                throw new IOException("writing to " + path + " failed (" + (k < 0 ? "the port is gone" : "nothing written")
                        + ", error " + port.getLastErrorCode() + ")");
            }
            done += k;
        }
    }

    @Override
    public int queuedBytes() {
        int n = port.bytesAwaitingWrite();
        return Math.max(n, 0);
    }

    @Override
    public void close() {
        port.closePort();
    }

    @Override
    public String name() {
        return path;
    }
}
