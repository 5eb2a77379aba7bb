package trot.blas;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jblas.NativeBlas;

import trot.util.NativeLoader;

/**
 * The one place that knows which BLAS library carries jblas's products in this JVM.
 *
 * <p>jblas reaches BLAS through the static native methods of {@code org.jblas.NativeBlas}. There are two
 * libraries that can implement them, so two backends:
 * <ul>
 *   <li>{@link Kind#NATIVE}: trot's {@code libjblas.so}, built from {@code native/} by the Maven build when gcc
 *       and OpenBLAS ({@code libopenblas-dev}) are installed. It implements the same entry points without
 *       copying the Java arrays, over the system OpenBLAS (Debian's {@code libopenblas0-pthread}), which picks its
 *       kernel for the CPU it runs on. {@link trot.util.NativeLoader} finds it ({@code -Dtrot.native.dir},
 *       then {@code java.library.path}, then the copy packaged in trot's jar, unpacked on first use), loads it,
 *       and this class binds NativeBlas's methods to it explicitly (JNI {@code RegisterNatives}), so no JVM
 *       flag is needed.</li>
 *   <li>{@link Kind#STOCK}: jblas's bundled library, used when trot's does not load (the reason is logged as a
 *       WARNING) or when {@code -Dtrot.blas=stock} asks for it (then {@code java.library.path} must not hold
 *       trot's {@code libjblas.so}, which jblas's own loader would pick). It copies every array argument on
 *       every call, and on CPUs newer than it knows it needs {@link #stockEnvironment() environment variables}
 *       to be fast.</li>
 * </ul>
 *
 * <p>The choice is made once per JVM, at the first use of this class (which {@link Blas} makes when it
 * initialises). It cannot be switched while the JVM runs: the bundled library's OpenBLAS reads
 * {@code OPENBLAS_CORETYPE} (and glibc reads {@code GLIBC_TUNABLES}) only from the environment the process
 * started with. To compare the two backends, run two JVMs.
 *
 * <p>The first call to {@link #active()} (or any other method here) initialises jblas, determines the backend
 * and logs it once through {@link System.Logger} {@code "trot.blas"} at INFO (the library file and where it came
 * from), with a WARNING when trot's library could not be used (what is missing, what to install) or when the
 * stock library runs without the environment it needs on this CPU.
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

    /** System property: {@code stock} keeps jblas's bundled library (trot's is not loaded). */
    public static final String BACKEND_PROPERTY = "trot.blas";

    /** A jblas "architecture flavour" with no library in jblas's jar: set while NativeBlas initialises after its
     *  methods were bound to trot's library, so that jblas's loader finds nothing to unpack and load. */
    private static final String NO_BUNDLED_FLAVOR = "trot-bound-natively";

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
            return "BLAS: NATIVE zero-copy JNI (" + file + ", " + State.LIBRARY.source() + ") over system "
                    + nativeDescribe() + ", " + nativeThreads() + " thread(s)";
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

    /** Binds each named native method of {@code target} to this library's function {@code symbols[i]} when it
     *  exports one; returns how many it bound. */
    private static native int nativeBind(Class<?> target, String[] names, String[] signatures, String[] symbols);

    // ---------------------------------------------------------------------------------------

    /** Initialised on first use: loads trot's library, initialises jblas, determines the backend and logs it. */
    private static final class State {
        static final Kind KIND;
        /** trot's libjblas.so: where it came from, or why it did not load (null with -Dtrot.blas=stock). */
        static final NativeLoader.Library LIBRARY;
        static final String LIBRARY_FILE;
        /** How many of NativeBlas's methods are bound to trot's library. */
        static final int BOUND;
        /** Why jblas's library cannot be used, or null. */
        static final String LOAD_ERROR;
        /** Why the native backend is not active although it was not turned off, or null. */
        static final String NATIVE_ERROR;

        static {
            // jblas's own logger reports every temporary file it deletes at exit, at INFO; keep its warnings.
            org.jblas.util.Logger.getLogger().setLevel(org.jblas.util.Logger.WARNING);
            boolean stockChosen = "stock".equalsIgnoreCase(System.getProperty(BACKEND_PROPERTY, "").trim());
            NativeLoader.Library library = stockChosen ? null : NativeLoader.load("jblas");
            int bound = 0;
            String nativeError = library == null || library.loaded() ? null : library.error();
            if (library != null && library.loaded()) {
                try {
                    bound = bindNativeBlas();
                    if (bound <= 0) {
                        nativeError = library.file() + " exports none of org.jblas.NativeBlas's methods";
                    }
                } catch (UnsatisfiedLinkError e) {
                    nativeError = library.file() + " is not trot's zero-copy libjblas.so (it has no "
                            + "trot.blas.BlasBackend entry points; jblas's own library?)";
                } catch (RuntimeException e) {
                    nativeError = "binding org.jblas.NativeBlas to " + library.file() + " failed: " + e;
                }
            }
            // Initialise org.jblas.NativeBlas. Its loader calls System.loadLibrary("jblas") (which finds trot's
            // library when it is on java.library.path) and otherwise unpacks and loads its bundled one, unless
            // the flavour override makes it find none: then its methods stay bound to trot's library. If the
            // bundled library cannot load (libgfortran5 missing), jblas only logs it; the first call fails.
            String loadError = null;
            if (bound > 0) {
                org.jblas.util.ArchFlavor.overrideArchFlavor(NO_BUNDLED_FLAVOR);
            }
            try {
                float[] one = {1f};
                NativeBlas.sdot(1, one, 0, 1, one, 0, 1);
            } catch (UnsatisfiedLinkError e) {
                loadError = e.getMessage();
            } finally {
                if (bound > 0) {
                    org.jblas.util.ArchFlavor.overrideArchFlavor(null);
                }
            }
            KIND = bound > 0 && loadError == null ? Kind.NATIVE : Kind.STOCK;
            LIBRARY = library;
            BOUND = bound;
            LOAD_ERROR = loadError;
            NATIVE_ERROR = nativeError;
            LIBRARY_FILE = KIND == Kind.NATIVE ? library.file().toString() : mappedStockLibjblas(library);
            log(KIND, stockChosen);
        }

        /** Binds every native method of NativeBlas that trot's library implements; returns the count. */
        private static int bindNativeBlas() {
            List<Method> natives = Arrays.stream(NativeBlas.class.getDeclaredMethods())
                    .filter(m -> Modifier.isNative(m.getModifiers()))
                    .collect(Collectors.toList());
            String[] names = new String[natives.size()];
            String[] signatures = new String[natives.size()];
            String[] symbols = new String[natives.size()];
            for (int i = 0; i < natives.size(); i++) {
                Method m = natives.get(i);
                names[i] = m.getName();
                signatures[i] = jniSignature(m);
                symbols[i] = "Java_" + jniMangle(NativeBlas.class.getName()) + "_" + jniMangle(m.getName());
            }
            return nativeBind(NativeBlas.class, names, signatures, symbols);
        }

        private static void log(Kind kind, boolean stockChosen) {
            System.Logger logger = System.getLogger(LOGGER_NAME);
            if (LOAD_ERROR != null) {
                logger.log(System.Logger.Level.ERROR, describe(kind) + ". trot's native library: "
                        + (NATIVE_ERROR != null ? NATIVE_ERROR : stockChosen ? "not used (-Dtrot.blas=stock)"
                        : "loaded") + ". jblas's bundled library needs libgfortran5 (Debian: apt-get install "
                        + "libgfortran5); better, " + NATIVE_ADVICE);
                return;
            }
            logger.log(System.Logger.Level.INFO, describe(kind));
            if (kind != Kind.STOCK) {
                return;
            }
            if (NATIVE_ERROR != null) {
                logger.log(System.Logger.Level.WARNING, "trot's native BLAS is not in use: " + NATIVE_ERROR + ". "
                        + advice(NATIVE_ERROR) + " Until then jblas's bundled BLAS runs every product: it copies "
                        + "every array on every call and runs on one thread (2-13x slower on the learner's "
                        + "products, about 3x on a whole update).");
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
                            + "ones). ")
                    .append(stockChosen ? "Without -Dtrot.blas=stock trot's native library avoids all of this."
                            : "Better: " + NATIVE_ADVICE);
            logger.log(System.Logger.Level.WARNING, text.toString());
        }

        private static final String NATIVE_ADVICE = "install gcc, make and libopenblas-dev (Debian: apt-get install "
                + "gcc make libopenblas-dev) and rebuild trot (mvn package / mvn install): its jar then carries the "
                + "zero-copy libjblas.so and loads it without any flag.";

        /** What to install or do about why trot's library did not load. */
        private static String advice(String error) {
            if (error.contains("libopenblas")) {
                return "The system OpenBLAS is missing: install it (Debian: apt-get install libopenblas0-pthread;"
                        + " libopenblas-dev to build native/).";
            }
            if (error.contains("-D" + NativeLoader.DIR_PROPERTY)) {
                return "Point -D" + NativeLoader.DIR_PROPERTY + " at a directory holding libjblas.so "
                        + "(<trot>/native/build after make -C native), or unset it.";
            }
            if (error.contains("is not in trot's jar")) {
                return "This trot jar was built without it: " + NATIVE_ADVICE;
            }
            return "Rebuild native/ on this machine (make -C native) and point -D" + NativeLoader.DIR_PROPERTY
                    + " at native/build, or " + NATIVE_ADVICE;
        }
    }

    /** The JNI type signature of a method, e.g. {@code (I[FII)F}. */
    static String jniSignature(Method m) {
        StringBuilder sig = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            sig.append(p.descriptorString());
        }
        return sig.append(')').append(m.getReturnType().descriptorString()).toString();
    }

    /** JNI's name mangling of a class or method name for a native function's symbol. */
    static String jniMangle(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (c == '.' || c == '/') {
                out.append('_');
            } else if (c == '_') {
                out.append("_1");
            } else if (c == ';') {
                out.append("_2");
            } else if (c == '[') {
                out.append("_3");
            } else if (c < 128 && Character.isLetterOrDigit(c)) {
                out.append(c);
            } else {
                out.append(String.format("_0%04x", (int) c));
            }
        }
        return out.toString();
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

    /** The path of a libjblas.so other than trot's mapped into this process (from /proc/self/maps), or null. */
    private static String mappedStockLibjblas(NativeLoader.Library trots) {
        String exclude = trots != null && trots.file() != null ? trots.file().toString() : "";
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.indexOf('/') >= 0 ? l.substring(l.indexOf('/')) : "")
                    .filter(p -> p.endsWith("/libjblas.so") && !p.equals(exclude))
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
