package trot.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import trot.blas.BlasProductsProbe.Product;
import trot.blas.BlasProductsProbe.Results;

/**
 * The BLAS backend switch: surefire runs this JVM with {@code java.library.path=native/build},
 * so it should be on the native library; a child JVM with {@code -Dtrot.blas=stock} runs jblas's bundled
 * library, and one without any flag loads the copy of trot's library packaged with the classes (unpacked into
 * a cache directory). All must compute the same products, and each must match plain double-precision loops.
 */
class BlasBackendTest {

    /** native/build/libjblas.so of this checkout, whether or not it was built. */
    private static Path nativeLibrary() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .resolve("native/build/libjblas.so");
    }

    private static void assumeNativeBuilt() {
        assumeTrue(Files.isRegularFile(nativeLibrary()),
                nativeLibrary() + " was not built (needs gcc and libopenblas-dev; run "
                        + "bash native/build.sh): skipping the native-backend checks");
    }

    @Test
    void runsNativeWhenBuilt() {
        assumeNativeBuilt();
        assertEquals(BlasBackend.Kind.NATIVE, BlasBackend.active(),
                "native/build/libjblas.so exists but this JVM (java.library.path="
                        + System.getProperty("java.library.path") + ") is on: "
                        + BlasBackend.describe());
        String description = BlasBackend.describe();
        assertTrue(description.contains("NATIVE") && description.contains("OpenBLAS"), description);
        System.out.println(description);
    }

    @Test
    void threadsCanBeSetAndRejectsZero() {
        assertThrows(IllegalArgumentException.class, () -> BlasBackend.setThreads(0));
        assertThrows(IllegalArgumentException.class, () -> BlasBackend.setThreads(-1));
        int before = BlasBackend.threads();
        assertTrue(before >= 1, "threads() = " + before);
        if (BlasBackend.active() == BlasBackend.Kind.NATIVE) {
            BlasBackend.setThreads(2);
            try {
                assertEquals(2, BlasBackend.threads());
            } finally {
                BlasBackend.setThreads(before);
            }
            assertEquals(before, BlasBackend.threads());
        }
    }

    @Test
    void bothPathsAgree(@TempDir Path tmp) throws Exception {
        // This JVM: the native library when built (otherwise the stock one, which still checks
        // the stock library against the reference).
        List<Product> here = BlasProductsProbe.viaBlas();
        List<Product> reference = BlasProductsProbe.reference();

        // A child JVM on the stock library: empty java.library.path, so jblas extracts its own.
        Results stock = runChild(tmp, "stock", "-Dtrot.blas=stock").results();
        assertEquals(BlasBackend.Kind.STOCK.name(), stock.backend(),
                "the child JVM should run jblas's bundled library: " + stock.description());
        for (Map.Entry<String, String> e : BlasBackend.stockEnvironment().entrySet()) {
            if (e.getKey().equals("OPENBLAS_CORETYPE")) {
                assertTrue(stock.description().contains(e.getKey() + "=" + e.getValue()),
                        "stock environment not passed to the child: " + stock.description());
            }
        }

        List<String> failures = new ArrayList<>();
        failures.addAll(compare("this JVM (" + BlasBackend.active() + ") vs reference", here, reference));
        failures.addAll(compare("stock child vs reference", stock.products(), reference));
        failures.addAll(compare("this JVM (" + BlasBackend.active() + ") vs stock child",
                here, stock.products()));
        if (!failures.isEmpty()) {
            fail(failures.size() + " product comparison(s) out of tolerance (tolerance: relative "
                    + "to the largest magnitude in each result, 1e-5 float, 1e-12 double, exact "
                    + "for indices)\n  " + String.join("\n  ", failures)
                    + "\nthis JVM: " + BlasBackend.describe() + "\nchild: " + stock.description());
        }
    }

    /**
     * Compares two lists of products element by element: |a - b| <= tolerance * max |value|
     * over both results. Returns one line per failing product with its worst element.
     */
    private static List<String> compare(String label, List<Product> actual, List<Product> expected) {
        List<String> failures = new ArrayList<>();
        assertEquals(expected.size(), actual.size(), label + ": number of products");
        for (int p = 0; p < expected.size(); p++) {
            Product a = actual.get(p);
            Product e = expected.get(p);
            assertEquals(e.name(), a.name(), label);
            assertEquals(e.values().length, a.values().length, label + ": " + e.name() + " length");
            double scale = 0; // largest finite magnitude in either result
            for (int i = 0; i < e.values().length; i++) {
                for (double v : new double[] {e.values()[i], a.values()[i]}) {
                    if (Double.isFinite(v)) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                }
            }
            double allowed = e.tolerance() * scale;
            double worst = -1;
            int worstAt = -1;
            for (int i = 0; i < e.values().length; i++) {
                double err = Math.abs(a.values()[i] - e.values()[i]);
                if (Double.isNaN(err)) {
                    err = Double.POSITIVE_INFINITY; // NaN or infinity where there should be none
                }
                if (err > worst) {
                    worst = err;
                    worstAt = i;
                }
            }
            if (!(worst <= allowed)) {
                failures.add(String.format("%s: %s: worst |error| %.3g at [%d] (%s vs %s), "
                                + "allowed %.3g (max magnitude %.3g)", label, e.name(), worst,
                        worstAt, a.values()[worstAt], e.values()[worstAt], allowed, scale));
            }
        }
        return failures;
    }

    @Test
    void withoutAnyFlagLoadsTheCopyPackagedWithTheClasses(@TempDir Path tmp) throws Exception {
        assumeNativeBuilt();
        Path cache = tmp.resolve("cache");
        Child child = runChild(tmp, "packaged", "-Dtrot.native.cache=" + cache);
        String description = child.results().description();
        assertEquals(BlasBackend.Kind.NATIVE.name(), child.results().backend(),
                "a JVM with the packaged libjblas.so on its class path but no java.library.path should run it: "
                        + description + "\n" + child.output());
        assertTrue(description.contains(cache.toString()) && description.contains("unpacked from trot's jar"),
                "the library should come from the cache directory " + cache + ": " + description);
        try (var files = Files.walk(cache)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("libjblas.so")
                    && f.getParent().getFileName().toString().matches("[0-9a-f]{32}")),
                    "libjblas.so should be unpacked into " + cache + "/<hash>/");
        }
        List<String> failures = compare("packaged child vs reference", child.results().products(),
                BlasProductsProbe.reference());
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void anOverrideWithoutTheLibraryWarnsAndFallsBack(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-libraries-here"));
        Child child = runChild(tmp, "override", "-Dtrot.native.dir=" + empty);
        assertEquals(BlasBackend.Kind.STOCK.name(), child.results().backend(), child.results().description());
        assertTrue(child.output().contains("WARNING") && child.output().contains("trot's native BLAS is not in use")
                        && child.output().contains("-Dtrot.native.dir=" + empty + " has no libjblas.so"),
                "the fallback should be a WARNING naming the override directory:\n" + child.output());
    }

    /** A child JVM's products and its console output. */
    private record Child(Results results, String output) {
    }

    private static Child runChild(Path tmp, String label, String... flags) throws IOException, InterruptedException {
        Path emptyLibraryPath = Files.createDirectories(tmp.resolve("empty-library-path"));
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        Path out = tmp.resolve(label + "-products.bin");
        Path log = tmp.resolve(label + "-child.log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java,
                "-cp", System.getProperty("java.class.path"),
                "-Djava.library.path=" + emptyLibraryPath,
                "-Djava.io.tmpdir=" + childTmp, // where jblas extracts its 27 MB library
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(flags));
        command.addAll(List.of(BlasProductsProbe.class.getName(), out.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("OPENBLAS_NUM_THREADS");
        if (List.of(flags).contains("-Dtrot.blas=stock")) {
            builder.environment().putAll(BlasBackend.stockEnvironment());
        }
        Process process = builder.start();
        boolean done = process.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        String output = Files.exists(log) ? Files.readString(log) : "";
        if (!done || process.exitValue() != 0 || !Files.exists(out)) {
            fail(label + " child JVM failed (" + (done ? "exit " + process.exitValue() : "timed out")
                    + "): " + String.join(" ", command) + "\n" + output);
        }
        return new Child(BlasProductsProbe.read(out), output);
    }
}
