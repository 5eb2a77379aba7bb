package trot.link;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * trot.link against the shared test vectors of hardware/protocol/vectors.txt, which an independent Python writer
 * made: every valid vector decodes to exactly its fields (floats bit for bit) and its fields encode to exactly its
 * wire bytes; every invalid one gives its error; every stream gives its results in order.
 */
class ProtocolVectorsTest {

    @Test
    void theFileHasEveryKindAndEveryType() {
        List<Vectors.Vector> all = Vectors.all();
        TreeSet<String> types = new TreeSet<>(), errors = new TreeSet<>(), kinds = new TreeSet<>();
        for (Vectors.Vector v : all) {
            kinds.add(v.kind());
            if (v.kind().equals("valid")) {
                types.add(v.type());
            } else if (v.kind().equals("invalid")) {
                errors.add(v.error());
            }
        }
        assertEquals(new TreeSet<>(List.of("valid", "invalid", "stream")), kinds);
        assertEquals(new TreeSet<>(List.of("HELLO", "HELLO_ACK", "COMMAND", "ARM", "STATE", "HEARTBEAT", "ESTOP", "FAULT")),
                types);
        TreeSet<String> allErrors = new TreeSet<>();
        for (FrameError e : FrameError.values()) {
            allErrors.add(e.wireName());
        }
        assertEquals(allErrors, errors, "every error kind has an invalid vector");
    }

    @TestFactory
    Stream<DynamicTest> validVectorsDecodeToTheirFields() {
        return Vectors.all().stream().filter(v -> v.kind().equals("valid")).map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            FrameDecoder d = new FrameDecoder();
            List<String> results = feed(d, v.wire());
            assertEquals(List.of("ok " + v.type() + " " + v.seq()), results, v.name());
            Message m = d.message(d.type());
            assertEquals(v.type(), Protocol.typeName(m.type()));
            TreeSet<String> covered = new TreeSet<>();
            for (Map.Entry<String, String> f : v.fields().entrySet()) {
                assertEquals(Vectors.exact(m, f.getKey(), f.getValue()), Vectors.exact(m, f.getKey()),
                        v.name() + " field " + f.getKey());
                covered.add(Vectors.javaName(f.getKey()));
            }
            assertEquals(Vectors.publicFields(m), new ArrayList<>(covered), v.name() + ": the vector names every field");
        }));
    }

    @TestFactory
    Stream<DynamicTest> validVectorsEncodeToTheirWireBytes() {
        return Vectors.all().stream().filter(v -> v.kind().equals("valid")).map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            Message m = Vectors.newMessage(v.type());
            for (Map.Entry<String, String> f : v.fields().entrySet()) {
                Vectors.set(m, f.getKey(), f.getValue());
            }
            byte[] wire = new byte[Protocol.MAX_WIRE + 10];
            int headerVersion = decodedHeaderVersion(v.wire());
            // An encoder that encoded another message of the type first: nothing of it may leak into this one.
            FrameEncoder encoder = new FrameEncoder();
            Message other = Vectors.newMessage(v.type());
            Randomize.fill(other, new java.util.Random(v.name().hashCode()));
            encoder.encode(other, 1, wire, 0);
            java.util.Arrays.fill(wire, (byte) 0x5A);
            int n = encoder.encode(m, v.seq(), headerVersion, wire, 5);
            assertEquals(HexFormat.of().formatHex(v.wire()), HexFormat.of().formatHex(wire, 5, 5 + n), v.name());
            if (headerVersion == Protocol.VERSION) {
                byte[] again = new byte[Protocol.MAX_WIRE];
                int k = new FrameEncoder().encode(m, v.seq(), again, 0);
                assertArrayEquals(v.wire(), java.util.Arrays.copyOf(again, k));
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> invalidVectorsGiveTheirError() {
        return Vectors.all().stream().filter(v -> v.kind().equals("invalid")).map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            FrameDecoder d = new FrameDecoder();
            assertEquals(List.of("error " + v.error()), feed(d, v.wire()), v.name());
            FrameError e = FrameError.ofWireName(v.error());
            assertEquals(1, d.errors(e));
            assertEquals(1, d.totalErrors());
            assertEquals(0, d.goodPackets());
        }));
    }

    @TestFactory
    Stream<DynamicTest> streamVectorsGiveTheirResultsInOrder() {
        return Vectors.all().stream().filter(v -> v.kind().equals("stream")).map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            FrameDecoder d = new FrameDecoder();
            assertEquals(v.expect(), feed(d, v.wire()), v.name());
            // The same stream in chunks through the handler gives the same results.
            FrameDecoder c = new FrameDecoder();
            List<String> chunked = new ArrayList<>();
            FrameDecoder.Handler h = new FrameDecoder.Handler() {
                @Override
                public void onPacket(FrameDecoder decoder, int type) {
                    chunked.add("ok " + Protocol.typeName(type) + " " + decoder.seq());
                }

                @Override
                public void onError(FrameDecoder decoder, FrameError error) {
                    chunked.add("error " + error.wireName());
                }
            };
            for (int i = 0; i < v.wire().length; i += 37) {
                c.feed(v.wire(), i, Math.min(37, v.wire().length - i), h);
            }
            assertEquals(v.expect(), chunked);
            assertTrue(c.goodPackets() + c.totalErrors() == v.expect().size());
        }));
    }

    /** Feeds bytes one at a time; the results as vectors.txt writes them. */
    static List<String> feed(FrameDecoder d, byte[] wire) {
        List<String> out = new ArrayList<>();
        for (byte b : wire) {
            int r = d.feed(b);
            if (r > 0) {
                out.add("ok " + Protocol.typeName(r) + " " + d.seq());
            } else if (r == FrameDecoder.ERROR) {
                out.add("error " + d.error().wireName());
            } else {
                assertEquals(FrameDecoder.NONE, r);
            }
        }
        return out;
    }

    private static int decodedHeaderVersion(byte[] wire) {
        FrameDecoder d = new FrameDecoder();
        feed(d, wire);
        return d.headerVersion();
    }
}
