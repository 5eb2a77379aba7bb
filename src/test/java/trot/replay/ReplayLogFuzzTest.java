package trot.replay;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer over the replay log's recovery: any file either recovers or is refused with an {@link IOException} naming
 * it (and is then left byte for byte as it was); a recovered log is cut to exactly its header and the records it
 * replayed, never more than the file held.
 *
 * <p>In {@code mvn test} this runs the inputs in src/test/resources/trot/replay/ReplayLogFuzzTestInputs/ (logs of
 * 3 observations and 2 actions of the environment "Test"). To fuzz:
 * {@code JAZZER_FUZZ=1 mvn -B test -Dtest=ReplayLogFuzzTest -Djazzer.max_duration=10m}.
 */
class ReplayLogFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void recoveryCutsExactlyTheBadTail(byte[] input) throws IOException {
        Path f = Files.createTempFile("fuzz", ".log");
        try {
            Files.write(f, input);
            ReplayBuffer buffer = new ReplayBuffer(1000, ReplayLogTest.O, ReplayLogTest.A, 1);
            ReplayLog.Recovery r;
            try {
                r = ReplayLog.recover(f, "Test", ReplayLogTest.O, ReplayLogTest.A, Long.MAX_VALUE, buffer);
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
                assertTrue(java.util.Arrays.equals(input, Files.readAllBytes(f)), "a refused log is untouched");
                return;
            } catch (IllegalArgumentException e) {
                // a record whose numbers are not finite: the buffer refuses it by name
                assertTrue(e.getMessage().startsWith("replay buffer: transition rejected"), e.getMessage());
                return;
            }
            try (ReplayLog log = r.log()) {
                assertEquals(buffer.size(), r.replayed());
                assertEquals(ReplayLogTest.HEADER + r.replayed() * ReplayLogTest.RECORD, Files.size(f));
                assertEquals(input.length, Files.size(f) + r.tornBytes());
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** The same behind a valid header (whose CRC would stop almost every input): the fuzzer writes the records. */
    @FuzzTest(maxDuration = "5m")
    void recoveryBehindAValidHeaderCutsExactlyTheBadTail(byte[] records) throws IOException {
        byte[] header = java.util.Arrays.copyOf(VALID, ReplayLogTest.HEADER);
        byte[] file = java.util.Arrays.copyOf(header, header.length + records.length);
        System.arraycopy(records, 0, file, header.length, records.length);
        recoveryCutsExactlyTheBadTail(file);
    }

    /** A valid log of the corpus ("Test", 3 observations, 2 actions). */
    static final byte[] VALID;

    static {
        try {
            Path f = Files.createTempFile("valid", ".log");
            Files.delete(f);
            try (ReplayLog log = ReplayLog.create(f, "Test", ReplayLogTest.O, ReplayLogTest.A, false)) {
                log.append(1, new float[]{1, 2, 3}, new float[]{0.5f, -0.5f}, 1, new float[]{2, 3, 4}, false);
            }
            VALID = Files.readAllBytes(f);
            Files.delete(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
