package trot.link;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory serial line: a bounded byte queue whose reads wait up to a timeout, like a
 * jSerialComm semi-blocking read. {@link #cut} is an unplug: reads return -1 and writes fail from then on.
 */
final class MemoryPipe {
    private final byte[] ring = new byte[1 << 16];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition data = lock.newCondition();
    private int head, size;
    private boolean cut;

    void write(byte[] b, int off, int n) throws IOException {
        lock.lock();
        try {
            if (cut) {
                throw new IOException("the line is cut");
            }
            for (int i = 0; i < n; i++) {
                if (size == ring.length) {
                    throw new IOException("the pipe is full");
                }
                ring[(head + size++) & (ring.length - 1)] = b[off + i];
            }
            data.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Up to max bytes, waiting up to timeout_ms for the first; -1 once cut. */
    int read(byte[] b, int off, int max, long timeout_ms) {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(timeout_ms);
            while (size == 0 && !cut && left > 0) {
                try {
                    left = data.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
            if (cut) {
                return -1;
            }
            int n = Math.min(max, size);
            for (int i = 0; i < n; i++) {
                b[off + i] = ring[head];
                head = (head + 1) & (ring.length - 1);
            }
            size -= n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    void cut() {
        lock.lock();
        try {
            cut = true;
            data.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The host's end of a line made of two pipes; closing it leaves the line (the device's end) as it is. */
    static Port port(String name, MemoryPipe in, MemoryPipe out) {
        return new Port() {
            private volatile boolean closed;

            @Override
            public int read(byte[] buf, int offset, int max) {
                return closed ? -1 : in.read(buf, offset, max, 100);
            }

            @Override
            public void write(byte[] buf, int offset, int n) throws IOException {
                if (closed) {
                    throw new IOException("the port is closed");
                }
                out.write(buf, offset, n);
            }

            @Override
            public int queuedBytes() {
                return 0;
            }

            @Override
            public void close() {
                closed = true;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
