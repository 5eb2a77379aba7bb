package trot.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds and loads trot's JNI libraries ({@code libjblas.so}, {@code libtrotnn.so}, {@code libtrotmujoco.so},
 * {@code libtrotdnnl.so}, built from {@code native/}), so that a program that only has trot's jar on its class path
 * gets them without any JVM flag.
 *
 * <p>Where a library comes from, first match wins:
 * <ol>
 *   <li>{@code -Dtrot.native.dir=DIR}: {@code DIR/lib<name>.so} and nothing else (the override; a library missing
 *       there is reported missing, not looked for elsewhere);</li>
 *   <li>a directory on {@code java.library.path} holding {@code lib<name>.so} (how {@code ./trot} and the tests run
 *       {@code native/build});</li>
 *   <li>the jar: the Maven build packages {@code native/build/*.so} as {@code /native/<os>-<arch>/lib<name>.so}
 *       (e.g. {@code /native/linux-x86_64/}). It is unpacked on first use into a per-user cache directory named
 *       after the file's SHA-256 ({@code $XDG_CACHE_HOME/trot/native/<hash>/}, else
 *       {@code ~/.cache/trot/native/<hash>/}; {@code -Dtrot.native.cache=DIR} chooses another), written to a
 *       temporary file and renamed into place, so JVMs starting at the same time never see a half-written file.
 *       A library built with {@code -march=native} ({@code libtrotnn.so}) carries the CPU flags of its build
 *       machine ({@code lib<name>.so.cpu-flags}) and is refused on a CPU that lacks one of them.</li>
 * </ol>
 *
 * <p>These are JNI glue only: they link the system's OpenBLAS, MuJoCo and oneDNN, which stay Debian packages
 * ({@code libopenblas0-pthread}, {@code libmujoco2.2.2}, {@code libdnnl2}); a missing one makes the load fail with
 * the dynamic linker's message, which {@link Library#error()} keeps.
 *
 * <p>Each library is looked up and loaded once per JVM; {@link #attempts()} lists what was tried and where it came
 * from. A library is loaded with {@link System#load} on behalf of trot's class loader, so the native methods of
 * every trot class (same loader) bind to it.
 */
public final class NativeLoader {
    /** System property: a directory to load every native library from, instead of the path and the jar. */
    public static final String DIR_PROPERTY = "trot.native.dir";
    /** System property: the cache directory the jar's libraries are unpacked into. */
    public static final String CACHE_PROPERTY = "trot.native.cache";

    /** Where a library was found. */
    public enum Source {
        /** {@code -Dtrot.native.dir}. */
        NATIVE_DIR("from -Dtrot.native.dir"),
        /** A directory of {@code java.library.path}. */
        LIBRARY_PATH("from java.library.path"),
        /** Unpacked from trot's jar. */
        JAR("unpacked from trot's jar");

        private final String text;

        Source(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The outcome of loading one library: {@code file} and {@code source} say where it was found (null when it was
     * not found at all); {@code error} is null when it loaded, else why not (not found, the CPU does not fit, or the
     * dynamic linker's message, e.g. a missing system library).
     */
    public record Library(String name, Path file, Source source, String error) {
        /** Whether the library is loaded in this JVM. */
        public boolean loaded() {
            return error == null;
        }

        /** One line for logs and {@code trot info}. */
        public String describe() {
            if (loaded()) {
                return file + " (" + source + ")";
            }
            return "lib" + name + ".so not loaded: " + error;
        }
    }

    private static final Map<String, Library> ATTEMPTS = new LinkedHashMap<>();

    /** CPU flags that name instruction-set extensions a compiler may use under {@code -march=native}. */
    private static final Pattern ISA_FLAG = Pattern.compile(
            "sse.*|ssse3|avx.*|fma.*|f16c|bmi.*|abm|lzcnt|movbe|popcnt|adx|sha.*|aes|vaes|pclmulqdq|vpclmulqdq|gfni"
                    + "|amx.*|xop|tbm|rdrnd|rdseed|clflushopt|clwb|prfchw|3dnow.*|mmx.*|cx16|xsave.*|"
                    // aarch64 "Features": all of them are instruction-set features
                    + "fp|asimd.*|sve.*|sme.*|atomics|crc32|pmull|sha1|sha2|sha3|sha512|fphp|dcpop|lrcpc|jscvt|fcma"
                    + "|dotprod|i8mm|bf16|ilrcpc|flagm.*|uscat|ssbs|sb|paca|pacg|dit|frint|rng|bti|mte.*|ebf16|svebf16");

    private NativeLoader() {
    }

    /**
     * Loads {@code lib<name>.so} (once per JVM; later calls return the first outcome). Never throws for a
     * library that is missing or does not load: the result says why.
     *
     * @throws IllegalArgumentException if {@code name} is not a plain library name
     */
    public static synchronized Library load(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.+-]+")) {
            throw new IllegalArgumentException("native library name must be a plain name like 'trotnn', got '" + name + "'");
        }
        Library done = ATTEMPTS.get(name);
        if (done != null) {
            return done;
        }
        Library result = find(name);
        if (result.error() == null) {
            try {
                System.load(result.file().toString());
            } catch (UnsatisfiedLinkError e) {
                result = new Library(name, result.file(), result.source(), result.file() + " (" + result.source()
                        + ") did not load: " + e.getMessage());
            }
        }
        ATTEMPTS.put(name, result);
        System.getLogger("trot.native").log(System.Logger.Level.DEBUG, result.describe());
        return result;
    }

    /** Every library looked for so far in this JVM, in order. */
    public static synchronized List<Library> attempts() {
        return List.copyOf(ATTEMPTS.values());
    }

    /** This machine's directory name under {@code /native/} in the jar, e.g. {@code linux-x86_64}. */
    public static String platform() {
        return platform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        os = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos" : os.startsWith("windows") ? "windows"
                : os.replaceAll("[^a-z0-9]", "");
        String arch = osArch.toLowerCase(Locale.ROOT);
        arch = switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch.replaceAll("[^a-z0-9_]", "");
        };
        return os + "-" + arch;
    }

    /** The directory the jar's libraries are unpacked into (one subdirectory per content hash). */
    public static Path cacheDir() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "trot", "native");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "trot", "native");
    }

    // -------------------------------------------------------------------------------------------

    private static Library find(String name) {
        String file = System.mapLibraryName(name);
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            Path candidate = Path.of(dir).toAbsolutePath().resolve(file);
            return Files.isRegularFile(candidate) ? new Library(name, candidate, Source.NATIVE_DIR, null)
                    : new Library(name, null, Source.NATIVE_DIR, "-D" + DIR_PROPERTY + "=" + dir + " has no " + file
                            + " (the override wins: unset it to use java.library.path or the copy in trot's jar)");
        }
        for (String entry : System.getProperty("java.library.path", "").split(Pattern.quote(java.io.File.pathSeparator))) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(entry).toAbsolutePath().resolve(file);
            if (Files.isRegularFile(candidate)) {
                return new Library(name, candidate, Source.LIBRARY_PATH, null);
            }
        }
        String resource = "/native/" + platform() + "/" + file;
        byte[] bytes;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return new Library(name, null, null, file + " is not in trot's jar for " + platform() + " (no "
                        + resource + ": the jar was built without it, e.g. without gcc or the library's -dev package),"
                        + " nor on java.library.path, and -D" + DIR_PROPERTY + " is not set");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            return new Library(name, null, Source.JAR, "reading " + resource + " from trot's jar failed: " + e);
        }
        String cpuError = cpuMismatch(resource + ".cpu-flags");
        if (cpuError != null) {
            return new Library(name, null, Source.JAR, cpuError);
        }
        try {
            return new Library(name, unpack(bytes, file, usableCacheDir(cacheDir())), Source.JAR, null);
        } catch (IOException | UncheckedIOException e) {
            return new Library(name, null, Source.JAR, "unpacking " + resource + " into " + cacheDir() + " failed ("
                    + e + "); set -D" + CACHE_PROPERTY + "=DIR to a writable directory");
        }
    }

    /** Why the packaged library may not run on this CPU, or null when it may (or has no CPU requirement). */
    private static String cpuMismatch(String flagsResource) {
        String required;
        try (InputStream in = NativeLoader.class.getResourceAsStream(flagsResource)) {
            if (in == null) {
                return null;
            }
            required = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "reading " + flagsResource + " failed: " + e;
        }
        Set<String> missing = missingIsaFlags(required, cpuFlags());
        return missing.isEmpty() ? null : "the copy in trot's jar was built with -march=native on a CPU with "
                + String.join(" ", missing) + ", which this CPU lacks (it could crash with SIGILL here); build native/"
                + " on this machine (make -C native) and point -D" + DIR_PROPERTY + " at native/build";
    }

    /** The instruction-set flags of {@code requiredFlags} (a cpuinfo flags line) that {@code present} lacks. */
    static Set<String> missingIsaFlags(String requiredFlags, Set<String> present) {
        return Arrays.stream(requiredFlags.trim().split("\\s+"))
                .filter(f -> !f.isEmpty() && ISA_FLAG.matcher(f).matches() && !present.contains(f))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** This CPU's flags from /proc/cpuinfo ({@code flags} on x86, {@code Features} on arm64); empty if unreadable. */
    static Set<String> cpuFlags() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                    .findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /**
     * Writes {@code bytes} to {@code <cache>/<sha256>/<file>} unless a file with that content is already there, and
     * returns its path. Safe for several JVMs at once: each writes its own temporary file and renames it atomically
     * over the target, so a reader sees either no file or a whole one (a JVM that already loaded an earlier copy
     * keeps its mapping of the replaced file).
     */
    static Path unpack(byte[] bytes, String file, Path cache) throws IOException {
        String hash = sha256(bytes).substring(0, 32);
        Path dir = cache.resolve(hash);
        Path target = dir.resolve(file);
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                && sha256(Files.readAllBytes(target)).startsWith(hash)) {
            return target;
        }
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, file + ".", ".part");
        try {
            Files.write(temporary, bytes);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return target;
    }

    /**
     * {@link #cacheDir()} if it can be created and written; else a directory of this user's under java.io.tmpdir
     * that nobody else can write (a shared temporary directory must not let another user plant a library).
     */
    private static Path usableCacheDir(Path preferred) throws IOException {
        try {
            Files.createDirectories(preferred);
            if (Files.isWritable(preferred)) {
                return preferred;
            }
        } catch (IOException | SecurityException e) {
            // fall through to the temporary directory
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "trot-native-" + System.getProperty("user.name", "user"));
        boolean posix = tmp.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(tmp)) {
            try {
                if (posix) {
                    Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectory(tmp);
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another JVM made it: checked below
            }
        }
        if (posix) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(tmp);
            boolean ours = Files.getOwner(tmp).getName().equals(System.getProperty("user.name"));
            if (!ours || permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                return Files.createTempDirectory("trot-native-");
            }
        }
        return tmp;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
