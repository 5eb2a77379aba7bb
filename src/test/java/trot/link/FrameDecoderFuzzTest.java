package trot.link;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of {@link FrameDecoder} with Jazzer, over arbitrary byte streams: it never throws, it
 * gives exactly the results of an independent plain receiver ({@link ReferenceReceiver}, a port of the vectors'
 * Python writer) for every frame, so it accepts no invalid frame; every packet it accepts re-encodes from the decoded
 * message to the same packet (reserved bytes aside, which the spec ignores on receipt); and its counters add up.
 *
 * <p>In {@code mvn test} this runs the inputs in src/test/resources/trot/link/FrameDecoderFuzzTestInputs/ (the
 * shared vectors' wire bytes and what earlier fuzzing found). To fuzz (one fuzz test per run):
 * <pre>
 *   JAZZER_FUZZ=1 nice mvn -B test -Dtest=FrameDecoderFuzzTest -Djazzer.max_executions=10000000 -Djazzer.max_duration=60m \
 *       "-Dtrot.test.jvm.args=-Djava.library.path=native/build --enable-native-access=ALL-UNNAMED -Xss4m -Xmx768m"
 * </pre>
 * (jazzer.max_* override the annotation's 5 minutes. The heap cap keeps the JVM under libFuzzer's 2 GB RSS limit,
 * which an unbounded heap crosses and libFuzzer then reports as an out-of-memory "crash".) The generated corpus
 * goes to .cifuzz-corpus/; a finding would be written into the Inputs directory above and then run in every test.
 */
class FrameDecoderFuzzTest {
    /** Payload offsets of reserved bytes, per type: sent as 0, ignored on receipt. */
    static int[] reserved(int type) {
        return switch (type) {
            case Protocol.HELLO -> new int[]{2, 3, 12, 13, 14, 15};
            case Protocol.HELLO_ACK -> new int[]{17, 18, 19};
            case Protocol.COMMAND -> new int[]{10, 11};
            case Protocol.ARM -> new int[]{4, 5, 6, 7};
            case Protocol.STATE -> new int[]{29, 30, 31};
            case Protocol.FAULT -> new int[]{17, 18, 19};
            default -> new int[0];
        };
    }

    @FuzzTest(maxDuration = "5m")
    void decoderAgreesWithTheReferenceAndAcceptsNoInvalidFrame(byte[] input) {
        long[] expected = new long[input.length];
        int[] frames = new int[2 * input.length];
        int count = ReferenceReceiver.receive(input, expected, frames);

        FrameDecoder d = new FrameDecoder();
        FrameEncoder e = new FrameEncoder();
        byte[] packet = new byte[Protocol.MAX_PACKET];
        int k = 0;
        for (byte b : input) {
            int r = d.feed(b);
            if (r == FrameDecoder.NONE) {
                continue;
            }
            assertTrue(k < count, "the decoder reported more frames than the reference receiver");
            int frame = k;
            if (r > 0) {
                assertEquals(expected[k], (long) r << 32 | d.seq(), () -> "frame " + frame + ": the reference says "
                        + describe(expected[frame]) + ", the decoder ok " + Protocol.typeName(r) + " " + d.seq());
                byte[] accepted = ReferenceReceiver.uncobs(Arrays.copyOfRange(input, frames[2 * k], frames[2 * k + 1]));
                // The decoded message packs to the packet that was accepted, up to the reserved bytes.
                int n = e.pack(d.message(r), d.seq(), packet, 0);
                packet[0] = (byte) d.headerVersion();
                byte[] mine = Arrays.copyOf(packet, n - 4);
                byte[] theirs = Arrays.copyOf(accepted, accepted.length - 4);
                for (int i : reserved(r)) {
                    theirs[8 + i] = 0;
                }
                assertArrayEquals(theirs, mine, () -> "accepted " + HexFormat.of().formatHex(accepted));
            } else {
                assertEquals(FrameDecoder.ERROR, r);
                assertEquals(expected[k], -(1 + d.error().ordinal()), () -> "frame " + frame + ": the reference says "
                        + describe(expected[frame]) + ", the decoder error " + d.error().wireName());
            }
            k++;
        }
        assertEquals(count, k, "frames reported");
        long good = 0;
        long[] perKind = new long[FrameError.values().length];
        for (int i = 0; i < count; i++) {
            if (expected[i] >= 0) {
                good++;
            } else {
                perKind[(int) (-expected[i] - 1)]++;
            }
        }
        assertEquals(good, d.goodPackets());
        assertEquals(count - good, d.totalErrors());
        for (FrameError kind : FrameError.values()) {
            assertEquals(perKind[kind.ordinal()], d.errors(kind), kind.wireName());
        }
    }

    static String describe(long code) {
        return code >= 0 ? "ok " + Protocol.typeName((int) (code >>> 32)) + " " + (code & 0xFFFF_FFFFL)
                : "error " + ReferenceReceiver.ERRORS[(int) (-code - 1)];
    }
}
