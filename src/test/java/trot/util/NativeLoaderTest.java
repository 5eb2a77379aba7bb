package trot.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How trot finds its JNI libraries: the platform directory names, the CPU check of a library built with
 * {@code -march=native}, and unpacking into the content-addressed cache (also from many threads at once). The
 * end-to-end cases (a JVM without flags loading the packaged libjblas.so; an override without the library) are in
 * {@code trot.blas.BlasBackendTest}, and a fresh Maven project depending on the installed jar in
 * {@code scripts/consumer-check.sh}.
 */
class NativeLoaderTest {

    @Test
    void platformNamesMatchThePomsDirectories() {
        assertEquals("linux-x86_64", NativeLoader.platform("Linux", "amd64"));
        assertEquals("linux-x86_64", NativeLoader.platform("Linux", "x86_64"));
        assertEquals("linux-aarch64", NativeLoader.platform("Linux", "aarch64"));
        assertEquals("macos-aarch64", NativeLoader.platform("Mac OS X", "aarch64"));
    }

    @Test
    void aLibraryForAWiderCpuIsRefusedOnlyForInstructionSetFlags() {
        String builtOn = "fpu sse sse2 ssse3 avx avx2 fma avx512f avx512bw constant_tsc hypervisor";
        Set<String> older = Set.of("fpu", "sse", "sse2", "ssse3", "avx", "avx2", "fma");
        assertEquals(Set.of("avx512bw", "avx512f"), NativeLoader.missingIsaFlags(builtOn, older),
                "the AVX-512 flags are missing; constant_tsc and hypervisor are not instruction sets");
        Set<String> same = Set.of(builtOn.split(" "));
        assertTrue(NativeLoader.missingIsaFlags(builtOn, same).isEmpty());
        assertTrue(NativeLoader.missingIsaFlags(builtOn + " sse4_2 popcnt", same).containsAll(List.of("sse4_2", "popcnt")));
        assertEquals(Set.of("sve"), NativeLoader.missingIsaFlags(" fp asimd sve\n", Set.of("fp", "asimd")), "arm64");
    }

    @Test
    void thisMachineHasEveryFlagOfALibraryBuiltHere() {
        Set<String> flags = NativeLoader.cpuFlags();
        assertTrue(NativeLoader.missingIsaFlags(String.join(" ", flags), flags).isEmpty());
    }

    @Test
    void unpacksIntoADirectoryNamedByTheContentAndReusesIt(@TempDir Path cache) throws Exception {
        byte[] library = "not really a library, but bytes to place".getBytes();
        Path first = NativeLoader.unpack(library, "libdemo.so", cache);
        assertEquals(cache.resolve(NativeLoader.sha256(library).substring(0, 32)).resolve("libdemo.so"), first);
        assertArrayEquals(library, Files.readAllBytes(first));
        long written = Files.getLastModifiedTime(first).toMillis();
        Files.setLastModifiedTime(first, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        assertEquals(first, NativeLoader.unpack(library, "libdemo.so", cache));
        assertEquals(written - 60_000, Files.getLastModifiedTime(first).toMillis(), "an intact copy is not rewritten");

        byte[] other = "another build of the same library".getBytes();
        Path second = NativeLoader.unpack(other, "libdemo.so", cache);
        assertNotEquals(first.getParent(), second.getParent(), "another content, another directory");
        assertArrayEquals(library, Files.readAllBytes(first), "the first version stays for JVMs that use it");
    }

    @Test
    void aDamagedCopyIsReplaced(@TempDir Path cache) throws Exception {
        byte[] library = "the library's true bytes".getBytes();
        Path target = NativeLoader.unpack(library, "libdemo.so", cache);
        byte[] damaged = library.clone();
        damaged[3] ^= 1; // same length, other content
        Files.write(target, damaged);
        assertEquals(target, NativeLoader.unpack(library, "libdemo.so", cache));
        assertArrayEquals(library, Files.readAllBytes(target));
    }

    @Test
    void manyUnpackingAtOnceAllGetTheWholeFile(@TempDir Path cache) throws Exception {
        byte[] library = new byte[3 << 20];
        new java.util.Random(5).nextBytes(library);
        int n = 8;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<Path> unpack = () -> {
                    start.await();
                    Path p = NativeLoader.unpack(library, "libdemo.so", cache);
                    assertArrayEquals(library, Files.readAllBytes(p), "a reader must never see a partial file");
                    return p;
                };
                results.add(pool.submit(unpack));
            }
            Path first = results.get(0).get();
            for (Future<Path> f : results) {
                assertEquals(first, f.get());
            }
            try (Stream<Path> left = Files.list(first.getParent())) {
                assertEquals(List.of(first), left.toList(), "no temporary files are left behind");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLibraryThatIsNowhereSaysWhereItWasLookedFor() {
        NativeLoader.Library missing = NativeLoader.load("trot-no-such-library");
        assertFalse(missing.loaded());
        assertTrue(missing.error().contains("libtrot-no-such-library.so is not in trot's jar for " + NativeLoader.platform())
                && missing.error().contains("java.library.path"), missing.error());
        assertSame(missing, NativeLoader.load("trot-no-such-library"), "looked up once per JVM");
        assertTrue(NativeLoader.attempts().contains(missing));
    }

    @Test
    void rejectsANameThatIsAPath() {
        assertThrows(IllegalArgumentException.class, () -> NativeLoader.load("../evil"));
        assertThrows(IllegalArgumentException.class, () -> NativeLoader.load("/tmp/libx.so"));
        assertThrows(IllegalArgumentException.class, () -> NativeLoader.load(""));
    }
}
