package trot.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run the independent parts of an update (one critic each) side by side, with an
 * allocation-free handoff. The calling thread is worker 0; {@code threads - 1} daemon threads are started once.
 *
 * <p>{@link #run(int, Task) run(n, task)} calls {@code task.run(i)} for {@code i = 0 .. n-1}, index {@code i} on
 * worker {@code i % threads}, and returns when all are done. The assignment is static, so which thread computes
 * a critic never depends on timing; as long as each task writes only its own buffers and draws from its own
 * generators, the results are bitwise identical to {@code threads = 1}.
 *
 * <p>Waiting spins briefly ({@link Thread#onSpinWait}) and then parks, so idle workers give the cores back to
 * the rest of the program (a simulator, the control loop) between updates.
 */
final class Workers implements AutoCloseable {

    /** One unit of parallel work; implementations are created once and reused. */
    interface Task {
        void run(int index);
    }

    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Thread[] workers;
    private volatile Thread caller;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Task task;
    private volatile int count;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;

    Workers(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("Workers: need at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int w = 1; w < threads; w++) {
            final int id = w;
            Thread t = new Thread(() -> loop(id), name + "-" + w);
            t.setDaemon(true);
            workers[w - 1] = t;
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code task} for indices 0 .. n-1 across the workers and waits for all of them. Not reentrant and
     * not for concurrent callers: one update at a time.
     *
     * @throws RuntimeException (or Error) the first failure of any task, after all have finished
     */
    void run(int n, Task task) {
        if (closed) {
            throw new IllegalStateException("Workers: the pool is closed");
        }
        if (threads == 1 || n == 1) {
            for (int i = 0; i < n; i++) {
                task.run(i);
            }
            return;
        }
        this.caller = Thread.currentThread();
        this.task = task;
        this.count = n;
        this.failure = null;
        pending.set(threads - 1);
        generation = generation + 1;      // publishes task and count
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        try {
            runShare(0, task, n);
        } catch (Throwable e) {
            failure = e;
        }
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException) {
                throw (RuntimeException) f;
            }
            if (f instanceof Error) {
                throw (Error) f;
            }
            throw new IllegalStateException("a parallel task failed", f);
        }
    }

    private void runShare(int worker, Task t, int n) {
        for (int i = worker; i < n; i += threads) {
            t.run(i);
        }
    }

    private void loop(int id) {
        long seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                runShare(id, task, count);
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the daemon threads (they also die with the JVM). */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}
