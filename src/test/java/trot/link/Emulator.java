package trot.link;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real robot emulator (hardware/firmware/build/trot-emulator: the C firmware core on MuJoCo behind a pty) as a
 * child process of a test: started with options, its port read from its first line, stopped with SIGTERM, its
 * {@code summary key=value} lines parsed.
 */
public final class Emulator implements AutoCloseable {
    public static final Path BINARY = Path.of("hardware/firmware/build/trot-emulator");
    public static final Path MODEL = Path.of("hardware/a1/a1.xml");

    private final Process process;
    public final String port;
    public final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final Thread pump;
    private final CompletableFuture<String> first = new CompletableFuture<>();

    /**
     * Skips the calling test when the emulator is not built, unless TROT_REQUIRE_EMULATOR is set (CI builds it, so
     * there a missing emulator is a failure).
     */
    public static void assumeBuilt() {
        boolean built = Files.isExecutable(BINARY);
        String why = "the emulator is not built (no " + BINARY.toAbsolutePath() + "): run `make -C hardware/firmware"
                + " emulator` (needs gcc and libmujoco-dev)";
        if (System.getenv("TROT_REQUIRE_EMULATOR") != null && !System.getenv("TROT_REQUIRE_EMULATOR").isEmpty()) {
            assertTrue(built, why + "; TROT_REQUIRE_EMULATOR is set, so this is a failure, not a skip");
        }
        assumeTrue(built, why);
    }

    public Emulator(String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--model", MODEL.toString(), "--status-every", "0"));
        command.addAll(List.of(options));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (stdout.isEmpty()) {
                        first.complete(line);
                    }
                    stdout.add(line);
                }
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
            first.complete(null);
        }, "emulator-stdout");
        pump.setDaemon(true);
        pump.start();
        String line;
        try {
            line = first.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("the emulator printed no first line within 10 s: " + e, e);
        }
        String prefix = "trot-emulator: serial port ";
        if (line == null || !line.startsWith(prefix)) {
            process.destroyForcibly();
            throw new IOException("the emulator's first line is not '" + prefix + "<P>' but: " + line);
        }
        port = line.substring(prefix.length());
    }

    /** SIGTERM, wait for the exit, and the summary's key=value pairs (integers). */
    public Map<String, Double> stop() throws InterruptedException {
        // Process.destroy() would also close the pipe of its stdout before the summary is read; the handle's does not.
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the emulator did not exit within 10 s of SIGTERM");
        }
        pump.join(2000);
        assertTrue(process.exitValue() == 0, "the emulator exited with " + process.exitValue() + ": " + stdout);
        Map<String, Double> summary = new HashMap<>();
        synchronized (stdout) {
            for (String line : stdout) {
                if (line.startsWith("summary")) {
                    for (String kv : line.substring("summary".length()).trim().split("\\s+")) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            summary.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
                        }
                    }
                }
            }
        }
        assertTrue(summary.containsKey("commands_applied"), "the emulator printed no summary: " + stdout);
        return summary;
    }

    /** SIGKILL: the robot's computer loses the device at once (no shutdown e-stop, no summary). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
