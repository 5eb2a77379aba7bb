package trot.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Puts the calling thread under Linux's {@code SCHED_FIFO} policy, so that it preempts every ordinary thread when its
 * period starts (learner workers, other processes): what the control thread needs for sub-millisecond jitter on a
 * loaded machine. Java has no API for it, so this runs {@code chrt -f -p PRIORITY TID} once, with the thread's id
 * read from {@code /proc/thread-self}; it needs {@code CAP_SYS_NICE} (or an {@code rtprio} limit) and util-linux's
 * {@code chrt}. Called before the loop starts, never inside it.
 */
public final class RealTimePriority {
    private RealTimePriority() {
    }

    /**
     * @param priority the SCHED_FIFO priority, 1..99
     * @return null on success, else why it failed (the thread keeps its policy)
     * @throws IllegalArgumentException for a priority outside 1..99
     */
    public static String applyToCurrentThread(int priority) {
        if (priority < 1 || priority > 99) {
            throw new IllegalArgumentException("RealTimePriority: a SCHED_FIFO priority is in 1..99, got " + priority);
        }
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));   // "<pid>/task/<tid>"
            String tid = self.getFileName().toString();
            Process p = new ProcessBuilder("chrt", "-f", "-p", Integer.toString(priority), tid)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                return "chrt did not finish within 10 s";
            }
            return p.exitValue() == 0 ? null : "chrt -f -p " + priority + " " + tid + " failed (" + p.exitValue() + "): " + out;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "cannot set SCHED_FIFO here (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
