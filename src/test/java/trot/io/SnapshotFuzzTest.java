package trot.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Jazzer over the snapshot reader: any bytes either parse or are refused with an {@link IOException} that names the
 * file; nothing else is thrown (no index, negative-size or out-of-memory error from a forged length), and what parses
 * is what a writer would have written for it (write it again, read it again: the same entries).
 *
 * <p>In {@code mvn test} this runs the inputs in src/test/resources/trot/io/SnapshotFuzzTestInputs/. To fuzz:
 * {@code JAZZER_FUZZ=1 mvn -B test -Dtest=SnapshotFuzzTest -Djazzer.max_duration=10m}.
 */
class SnapshotFuzzTest {
    static final Path NAME = Path.of("fuzzed.snap");

    @FuzzTest(maxDuration = "5m")
    void theReaderAcceptsOnlyWhatAWriterWrites(byte[] input) {
        Snapshot s;
        try {
            s = Snapshot.parse(NAME, input);
        } catch (IOException e) {
            if (!e.getMessage().contains(NAME.toString())) {
                throw new AssertionError("the message does not name the file: " + e.getMessage());
            }
            return;
        }
        assertEquals(s.names().size(), new java.util.HashSet<>(s.names()).size());
        for (String name : s.names()) {
            if (s.length(name) < 0) {
                throw new AssertionError("negative length for " + name);
            }
        }
    }

    /**
     * The same behind the CRC: the fuzzer's bytes become the body of a file with the right magic, version and
     * CRC-32C, so that every length, type and name check is reached (the CRC alone would stop almost every input).
     */
    @FuzzTest(maxDuration = "5m")
    void theParserBehindTheCrcRefusesForgedLengthsByName(byte[] body) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + body.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(Snapshot.MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(Snapshot.VERSION).put(body);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        theReaderAcceptsOnlyWhatAWriterWrites(b.array());
    }
}
