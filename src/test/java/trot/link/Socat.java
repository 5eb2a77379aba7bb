package trot.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A linked pair of pseudo-terminals made by socat, at two symlinks; stopping socat is an unplug of both ends. */
final class Socat implements AutoCloseable {
    final Path a, b;
    private Process process;

    Socat(Path dir) throws IOException, InterruptedException {
        this.a = dir.resolve("host");
        this.b = dir.resolve("device");
        start();
    }

    static boolean available() {
        try {
            return new ProcessBuilder("socat", "-V").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long end = System.nanoTime() + 5_000_000_000L;
        while (!(Files.exists(a) && Files.exists(b))) {
            if (System.nanoTime() > end || !process.isAlive()) {
                throw new IOException("socat did not make the pty pair " + a + ", " + b);
            }
            Thread.sleep(5);
        }
    }

    /** Stops socat: both ends see a disconnect and the symlinks go away. */
    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        long end = System.nanoTime() + 2_000_000_000L;
        while ((Files.exists(a) || Files.exists(b)) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
