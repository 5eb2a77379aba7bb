package trot.link;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing of {@link FrameDecoder} with Jazzer, over arbitrary byte streams: it never throws, it
 * gives exactly the results of an independent plain receiver ({@link ReferenceReceiver}, a port of the vectors'
 * Python writer) for every frame, so it accepts no invalid frame; every packet it accepts re-encodes from the decoded
 * message to the same packet (reserved bytes aside, which the spec ignores on receipt); and its counters add up.
 *
 * <p>In {@code mvn test} this runs the inputs in src/test/resources/trot/link/FrameDecoderFuzzTestInputs/ (the
 * shared vectors' wire bytes and what earlier fuzzing found). To fuzz (one fuzz test per run):
 * <pre>
 *   JAZZER_FUZZ=1 mvn -B test -Dtest=FrameDecoderFuzzTest -Djazzer.max_executions=10000000   (or -Djazzer.max_duration=10m)
 * </pre>
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
        List<byte[]> frames = new ArrayList<>();
        List<String> expected = ReferenceReceiver.receive(input, frames);

        FrameDecoder d = new FrameDecoder();
        FrameEncoder e = new FrameEncoder();
        byte[] packet = new byte[Protocol.MAX_PACKET];
        List<String> got = new ArrayList<>();
        for (byte b : input) {
            int r = d.feed(b);
            if (r > 0) {
                got.add("ok " + Protocol.typeName(r) + " " + d.seq());
                byte[] accepted = ReferenceReceiver.uncobs(frames.get(got.size() - 1));
                // The decoded message packs to the packet that was accepted, up to the reserved bytes.
                int n = e.pack(d.message(r), d.seq(), packet, 0);
                packet[0] = (byte) d.headerVersion();
                byte[] mine = Arrays.copyOf(packet, n - 4);
                byte[] theirs = Arrays.copyOf(accepted, accepted.length - 4);
                for (int i : reserved(r)) {
                    theirs[8 + i] = 0;
                }
                assertArrayEquals(theirs, mine, () -> "accepted " + HexFormat.of().formatHex(accepted));
            } else if (r == FrameDecoder.ERROR) {
                got.add("error " + d.error().wireName());
            } else {
                assertEquals(FrameDecoder.NONE, r);
            }
        }
        assertEquals(expected, got);
        long good = expected.stream().filter(s -> s.startsWith("ok")).count();
        assertEquals(good, d.goodPackets());
        assertEquals(expected.size() - good, d.totalErrors());
        for (FrameError k : FrameError.values()) {
            long n = expected.stream().filter(s -> s.equals("error " + k.wireName())).count();
            assertEquals(n, d.errors(k), k.wireName());
        }
    }
}
