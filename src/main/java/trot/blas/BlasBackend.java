package trot.blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jblas.NativeBlas;

/**
 * The one place that knows which BLAS library carries jblas's products in this JVM.
 *
 * <p>jblas reaches BLAS through the static native methods of {@code org.jblas.NativeBlas}. When that
 * class initialises it calls {@code System.loadLibrary("jblas")}, which searches
 * {@code java.library.path}, and only when that fails extracts the library bundled in its jar. So
 * there are two backends:
 * <ul>
 *   <li>{@link Kind#NATIVE}: {@code native/build/libjblas.so}, built from {@code native/} by the
 *       Maven build when gcc and OpenBLAS ({@code libopenblas-dev}) are installed. It implements the
 *       same entry points without copying the Java arrays, over the system OpenBLAS, which picks
 *       its kernel for the CPU it runs on. Tests and the launcher put {@code native/build} on
 *       {@code java.library.path}.</li>
 *   <li>{@link Kind#STOCK}: jblas's bundled library, used when {@code native/build} is not on
 *       {@code java.library.path} or was not built. It copies every array argument on every call,
 *       and on CPUs newer than it knows it needs {@link #stockEnvironment() environment variables}
 *       to be fast.</li>
 * </ul>
 *
 * <p>The choice is made once, when the JVM starts, by {@code java.library.path}; it cannot be
 * switched while the JVM runs. The JVM reads {@code java.library.path} at start-up (setting the
 * property later has no effect on {@code System.loadLibrary}); a class's native methods are bound
 * to the first library that provides them and a library cannot be unloaded while its class loader
 * lives; and the bundled library's OpenBLAS reads {@code OPENBLAS_CORETYPE} (and glibc reads
 * {@code GLIBC_TUNABLES}) only from the environment the process started with. To compare the two
 * backends, run two JVMs.
 *
 * <p>The first call to {@link #active()} (or any other method here) initialises jblas, determines
 * the backend and logs it once through {@link System.Logger} {@code "trot.blas"} at INFO, with a
 * WARNING when the stock library runs without the environment it needs on this CPU.
 *
 * <p>The native library starts OpenBLAS with one thread unless {@code OPENBLAS_NUM_THREADS} is
 * set: trot parallelises above BLAS, and one-threaded OpenBLAS is bitwise reproducible.
 */
public final class BlasBackend {

    /** Which library carries jblas's BLAS calls. */
    public enum Kind {
        /** trot's zero-copy {@code native/build/libjblas.so} over the system OpenBLAS. */
        NATIVE,
        /** jblas's bundled library (copies arrays on every call). */
        STOCK
    }

    /** Logger name for the backend report. */
    public static final String LOGGER_NAME = "trot.blas";

    /** The glibc malloc settings that stop the stock library's per-call array copies from
     *  mapping and unmapping memory on every call. */
    public static final String STOCK_GLIBC_TUNABLES =
            "glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=268435456";

    private static final Set<String> AVX512 = Set.of("avx512f", "avx512dq", "avx512bw", "avx512vl");

    private BlasBackend() {
    }

    /** The backend of this JVM; the first call initialises jblas and logs the choice. */
    public static Kind active() {
        return State.KIND;
    }

    /**
     * One line: the backend, its library file when known, and for the native backend OpenBLAS's
     * build configuration, kernel and thread count; for the stock one, whether the environment
     * variables it depends on are set.
     */
    public static String describe() {
        return describe(active());
    }

    private static String describe(Kind kind) {
        String file = State.LIBRARY_FILE == null ? "library file unknown" : State.LIBRARY_FILE;
        if (kind == Kind.NATIVE) {
            return "BLAS: NATIVE zero-copy JNI (" + file + ") over system " + nativeDescribe()
                    + ", " + nativeThreads() + " thread(s)";
        }
        String text = "BLAS: STOCK, jblas's bundled library (" + file + "), copies arrays on every "
                + "call; OPENBLAS_CORETYPE=" + envOrUnset("OPENBLAS_CORETYPE")
                + ", GLIBC_TUNABLES=" + envOrUnset("GLIBC_TUNABLES");
        return State.LOAD_ERROR == null ? text
                : text + "; NOT USABLE, it failed to load: " + State.LOAD_ERROR;
    }

    /**
     * Sets the number of BLAS threads (native backend: OpenBLAS's thread count; stock: no effect,
     * its BLAS is single-threaded). Call it between BLAS calls, not while another thread is in one.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + n);
        }
        if (active() == Kind.NATIVE) {
            nativeSetThreads(n);
        }
    }

    /** The number of threads BLAS calls may use (always 1 for the stock library). */
    public static int threads() {
        return active() == Kind.NATIVE ? nativeThreads() : 1;
    }

    /**
     * The environment variables the stock library needs on this CPU to run at full speed, to be
     * exported before the JVM starts (a launcher or a child process sets them; the running JVM
     * cannot). {@code OPENBLAS_CORETYPE} is {@code SkylakeX} on CPUs with AVX-512 (F, DQ, BW, VL)
     * and {@code Haswell} on AVX2+FMA CPUs, because the bundled OpenBLAS falls back to an SSE
     * kernel on CPUs it does not recognise; {@code GLIBC_TUNABLES} raises glibc's malloc trim and
     * mmap thresholds so that the per-call array copies reuse heap memory instead of faulting in
     * fresh pages. Empty when nothing applies (non-Linux). Callers should not override values the
     * user already exported, and should set them only when the JVM will run the stock library
     * (no {@code native/build/libjblas.so}): the system OpenBLAS honours {@code OPENBLAS_CORETYPE}
     * too and would then use the named kernel instead of the one it detects.
     */
    public static Map<String, String> stockEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        Set<String> flags = CpuFlags.FLAGS;
        if (flags.containsAll(AVX512)) {
            env.put("OPENBLAS_CORETYPE", "SkylakeX");
        } else if (flags.contains("avx2") && flags.contains("fma")) {
            env.put("OPENBLAS_CORETYPE", "Haswell");
        }
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            env.put("GLIBC_TUNABLES", STOCK_GLIBC_TUNABLES);
        }
        return Collections.unmodifiableMap(env);
    }

    // ---------------------------------------------------------------------------------------
    // Implemented in native/jblas_zero_copy.c; absent (UnsatisfiedLinkError) with the stock library.

    private static native String nativeDescribe();

    private static native void nativeSetThreads(int n);

    private static native int nativeThreads();

    // ---------------------------------------------------------------------------------------

    /** Initialised on first use: probes the backend and logs it. */
    private static final class State {
        static final Kind KIND;
        static final String LIBRARY_FILE;
        /** Why jblas's library cannot be used, or null. */
        static final String LOAD_ERROR;

        static {
            // Initialise org.jblas.NativeBlas, which loads one of the two libraries. If the bundled
            // one cannot load (libgfortran5 missing) jblas only logs it; the first call then fails.
            // jblas's own logger reports every temporary file it deletes at exit, at INFO; keep its warnings.
            org.jblas.util.Logger.getLogger().setLevel(org.jblas.util.Logger.WARNING);
            String loadError = null;
            try {
                float[] one = {1f};
                NativeBlas.sdot(1, one, 0, 1, one, 0, 1);
            } catch (UnsatisfiedLinkError e) {
                loadError = e.getMessage();
            }
            Kind kind;
            try {
                nativeDescribe();
                kind = Kind.NATIVE;
            } catch (UnsatisfiedLinkError e) {
                kind = Kind.STOCK;
            }
            KIND = kind;
            LOAD_ERROR = loadError;
            LIBRARY_FILE = loadedLibjblas();
            log(kind);
        }

        private static void log(Kind kind) {
            System.Logger logger = System.getLogger(LOGGER_NAME);
            if (LOAD_ERROR != null) {
                logger.log(System.Logger.Level.ERROR, describe(kind) + ". jblas's bundled library "
                        + "needs libgfortran5 (Debian: apt-get install libgfortran5); better, build "
                        + "native/ (apt-get install gcc libopenblas-dev) and run with "
                        + "-Djava.library.path=native/build.");
                return;
            }
            logger.log(System.Logger.Level.INFO, describe(kind));
            if (kind != Kind.STOCK) {
                return;
            }
            Map<String, String> missing = new LinkedHashMap<>();
            stockEnvironment().forEach((name, value) -> {
                String current = System.getenv(name);
                boolean ok = name.equals("GLIBC_TUNABLES")
                        ? current != null && current.contains("glibc.malloc.trim_threshold")
                                && current.contains("glibc.malloc.mmap_threshold")
                        : current != null && !current.isEmpty();
                if (!ok) {
                    missing.put(name, value);
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            StringBuilder text = new StringBuilder("jblas's bundled BLAS is active and slow here: ");
            if (missing.containsKey("OPENBLAS_CORETYPE")) {
                text.append("OPENBLAS_CORETYPE is unset or empty, so on this ")
                        .append(CpuFlags.FLAGS.containsAll(AVX512) ? "AVX-512" : "AVX2")
                        .append(" CPU the bundled BLAS will use an SSE-only kernel "
                                + "(about 4x slower gemm); ");
            }
            if (missing.containsKey("GLIBC_TUNABLES")) {
                text.append("with glibc's default malloc thresholds its per-call copies of the "
                        + "arrays fault in fresh memory on every call (a 256x256x256 sgemm takes "
                        + "up to several times longer); ");
            }
            text.append("export ")
                    .append(missing.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(" ")))
                    .append(" before the JVM starts (both are read only at process start; "
                            + "OPENBLAS_CORETYPE=SkylakeX on AVX-512 CPUs, Haswell on AVX2-only "
                            + "ones). Building native/ (apt-get install gcc libopenblas-dev, then "
                            + "mvn package) and running with -Djava.library.path=native/build "
                            + "avoids all of this.");
            logger.log(System.Logger.Level.WARNING, text.toString());
        }
    }

    /** CPU flags from /proc/cpuinfo (empty when unreadable). */
    private static final class CpuFlags {
        static final Set<String> FLAGS = read();

        private static Set<String> read() {
            try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
                return lines.filter(l -> l.startsWith("flags"))
                        .findFirst()
                        .map(l -> Set.copyOf(Arrays.asList(
                                l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                        .orElse(Set.of());
            } catch (IOException | RuntimeException e) {
                return Set.of();
            }
        }
    }

    /** The path of the libjblas.so mapped into this process, from /proc/self/maps, or null. */
    private static String loadedLibjblas() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.indexOf('/') >= 0 ? l.substring(l.indexOf('/')) : "")
                    .filter(p -> p.endsWith("/libjblas.so"))
                    .findFirst()
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String envOrUnset(String name) {
        String value = System.getenv(name);
        return value == null ? "(unset)" : value.isEmpty() ? "(empty)" : value;
    }
}
