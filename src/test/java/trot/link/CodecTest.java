package trot.link;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COBS, CRC-32C, the message layouts and the frame checks, case by case. */
class CodecTest {

    static byte[] cobs(byte[] in) {
        byte[] out = new byte[Cobs.maxEncodedLength(in.length)];
        int n = Cobs.encode(in, 0, in.length, out, 0);
        return Arrays.copyOf(out, n);
    }

    static byte[] uncobs(byte[] in) {
        byte[] out = new byte[in.length];
        int n = Cobs.decode(in, 0, in.length, out, 0);
        return n < 0 ? null : Arrays.copyOf(out, n);
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] run(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void cobsOfTheWikipediaExamples() {
        assertArrayEquals(bytes(1, 1), cobs(bytes(0)));
        assertArrayEquals(bytes(1, 1, 1), cobs(bytes(0, 0)));
        assertArrayEquals(bytes(1, 2, 0x11, 1), cobs(bytes(0, 0x11, 0)));
        assertArrayEquals(bytes(3, 0x11, 0x22, 2, 0x33), cobs(bytes(0x11, 0x22, 0, 0x33)));
        assertArrayEquals(bytes(5, 0x11, 0x22, 0x33, 0x44), cobs(bytes(0x11, 0x22, 0x33, 0x44)));
        assertArrayEquals(bytes(2, 0x11, 1, 1, 1), cobs(bytes(0x11, 0, 0, 0)));
        assertArrayEquals(bytes(1), cobs(new byte[0]));
    }

    @Test
    void cobsOfRunsAround254() {
        for (int n : new int[]{253, 254, 255, 508, 509}) {
            byte[] in = run(n, 0x42);
            byte[] enc = cobs(in);
            assertEquals(n + n / 254 + 1, enc.length, "encoded length of a run of " + n);
            assertTrue(enc.length <= Cobs.maxEncodedLength(n));
            for (byte b : enc) {
                assertNotEquals(0, b);
            }
            assertArrayEquals(in, uncobs(enc), "round trip of a run of " + n);
        }
        // 254 non-zero bytes: a full block (0xFF) and an empty last block, as the vectors' writer encodes it.
        byte[] enc = cobs(run(254, 7));
        assertEquals(0xFF, enc[0] & 0xFF);
        assertEquals(1, enc[255]);
        // 255: a full block, then a block of one byte.
        byte[] enc255 = cobs(run(255, 7));
        assertEquals(0xFF, enc255[0] & 0xFF);
        assertEquals(2, enc255[255]);
        assertEquals(7, enc255[256]);
    }

    @Test
    void cobsOfZeros() {
        for (int n : new int[]{1, 2, 254, 255, 300}) {
            byte[] enc = cobs(new byte[n]);
            assertArrayEquals(run(n + 1, 1), enc, "zeros: one code byte each");
            assertArrayEquals(new byte[n], uncobs(enc));
        }
    }

    @Test
    void cobsRoundTripsRandomData() {
        Random r = new Random(1);
        for (int t = 0; t < 2000; t++) {
            byte[] in = new byte[r.nextInt(700)];
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) (r.nextInt(4) == 0 ? 0 : r.nextInt(256));
            }
            assertArrayEquals(in, uncobs(cobs(in)));
        }
    }

    @Test
    void cobsDecodeRejectsWhatIsNotCobs() {
        assertEquals(null, uncobs(bytes(5, 0x11, 0x22)), "code past the end");
        assertEquals(null, uncobs(bytes(0xFF, 1, 2)), "0xFF past the end");
        assertEquals(null, uncobs(bytes(0)), "a zero code");
        assertEquals(null, uncobs(bytes(3, 0, 1)), "a zero inside a block");
        assertEquals(null, uncobs(bytes(2, 1, 0)), "a zero code after a block");
        assertArrayEquals(new byte[0], uncobs(bytes(1)));
        assertArrayEquals(new byte[0], uncobs(new byte[0]));
        assertArrayEquals(bytes(9), uncobs(bytes(2, 9)), "a block ending exactly at the end adds no zero");
    }

    @Test
    void cobsWorksAtOffsets() {
        byte[] in = bytes(9, 9, 0x11, 0, 0x22, 9);
        byte[] out = new byte[20];
        int n = Cobs.encode(in, 2, 3, out, 4);
        assertEquals(4, n);
        assertArrayEquals(bytes(2, 0x11, 2, 0x22), Arrays.copyOfRange(out, 4, 8));
        byte[] back = new byte[10];
        assertEquals(3, Cobs.decode(out, 4, 4, back, 3));
        assertArrayEquals(bytes(0x11, 0, 0x22), Arrays.copyOfRange(back, 3, 6));
    }

    @Test
    void crc32cCheckValue() {
        CRC32C c = new CRC32C();
        c.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xE3069283L, c.getValue());
    }

    @Test
    void encodeRejectsFieldsOutsideTheirWireRange() {
        FrameEncoder e = new FrameEncoder();
        byte[] wire = new byte[Protocol.MAX_WIRE];
        Command c = new Command();
        c.mode = 256;
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.encode(c, 1, wire, 0));
        assertTrue(x.getMessage().contains("Command.mode") && x.getMessage().contains("0..255") && x.getMessage().contains("256"),
                x.getMessage());
        c.mode = -1;
        assertThrows(IllegalArgumentException.class, () -> e.encode(c, 1, wire, 0));
        c.mode = 0;
        c.interp_us = 1L << 32;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.encode(c, 1, wire, 0)).getMessage().contains("interp_us"));
        c.interp_us = -1;
        assertThrows(IllegalArgumentException.class, () -> e.encode(c, 1, wire, 0));
        c.interp_us = 0xFFFF_FFFFL;
        e.encode(c, 1, wire, 0);
        Hello h = new Hello();
        h.protocolVersion = 65536;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.encode(h, 1, wire, 0)).getMessage().contains("0..65535"));
        h.protocolVersion = -1;
        assertThrows(IllegalArgumentException.class, () -> e.encode(h, 1, wire, 0));
        h.protocolVersion = 65535;
        e.encode(h, 1, wire, 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.encode(new Arm(), 1L << 32, wire, 0))
                .getMessage().contains("seq"));
        assertThrows(IllegalArgumentException.class, () -> e.encode(new Arm(), -1, wire, 0));
        e.encode(new Arm(), 0xFFFF_FFFFL, wire, 0);
    }

    @Test
    void everyTypeRoundTripsThroughTheDecoder() {
        FrameEncoder e = new FrameEncoder();
        FrameDecoder d = new FrameDecoder();
        byte[] wire = new byte[Protocol.MAX_WIRE];
        Random r = new Random(3);
        for (int type : new int[]{Protocol.HELLO, Protocol.HELLO_ACK, Protocol.COMMAND, Protocol.ARM, Protocol.STATE,
                Protocol.HEARTBEAT, Protocol.ESTOP, Protocol.FAULT}) {
            Message m = Vectors.newMessage(Protocol.typeName(type));
            Randomize.fill(m, r);
            long seq = r.nextInt() & 0xFFFF_FFFFL;
            int n = e.encode(m, seq, wire, 0);
            int packet = Protocol.payloadLength(type) + 12;
            assertTrue(n >= packet + 2 && n <= packet + packet / 254 + 2, "wire length of " + Protocol.typeName(type) + ": " + n);
            int result = FrameDecoder.NONE;
            for (int i = 0; i < n; i++) {
                int k = d.feed(wire[i]);
                if (i < n - 1) {
                    assertEquals(FrameDecoder.NONE, k);
                } else {
                    result = k;
                }
            }
            assertEquals(type, result);
            assertEquals(type, d.type());
            assertEquals(seq, d.seq());
            assertEquals(Protocol.VERSION, d.headerVersion());
            byte[] again = new byte[Protocol.MAX_WIRE];
            assertEquals(n, e.encode(d.message(type), seq, again, 0));
            assertArrayEquals(Arrays.copyOf(wire, n), Arrays.copyOf(again, n), "decode then encode is exact");
            // copyFrom copies every field.
            Message copy = Vectors.newMessage(Protocol.typeName(type));
            Randomize.copy(copy, d.message(type));
            assertEquals(n, e.encode(copy, seq, again, 0));
            assertArrayEquals(Arrays.copyOf(wire, n), Arrays.copyOf(again, n), "copyFrom of " + Protocol.typeName(type));
        }
        assertEquals(8, d.goodPackets());
        assertEquals(0, d.totalErrors());
    }

    @Test
    void reservedBytesAreSentAsZeroAndIgnoredOnReceipt() {
        FrameEncoder e = new FrameEncoder();
        byte[] packet = new byte[Protocol.MAX_PACKET];
        Arrays.fill(packet, (byte) 0x5A);
        HelloAck a = new HelloAck();
        a.setRobotName("x");
        int n = e.pack(a, 1, packet, 0);
        assertEquals(48, n);
        for (int i : new int[]{17, 18, 19}) {
            assertEquals(0, packet[8 + i], "reserved byte " + i);
        }
        assertEquals('x', packet[28]);
        assertEquals(0, packet[29]);
        assertEquals("x", a.robotName());
        assertThrows(IllegalArgumentException.class, () -> a.setRobotName("a name of seventeen"));
        a.setRobotName("sixteen-chars-ok");
        assertEquals("sixteen-chars-ok", a.robotName());
    }

    @Test
    void theDecoderWritesAMessageOnlyForAGoodPacket() {
        FrameEncoder e = new FrameEncoder();
        FrameDecoder d = new FrameDecoder();
        byte[] wire = new byte[Protocol.MAX_WIRE];
        State s = new State();
        s.fwTime_us = 1234;
        int n = e.encode(s, 7, wire, 0);
        ProtocolVectorsTest.feed(d, Arrays.copyOf(wire, n));
        assertEquals(1234, d.state().fwTime_us);
        s.fwTime_us = 99;
        n = e.encode(s, 8, wire, 0);
        wire[20] ^= 0x10;
        assertEquals(java.util.List.of("error crc"), ProtocolVectorsTest.feed(d, Arrays.copyOf(wire, n)));
        assertEquals(1234, d.state().fwTime_us, "a bad frame never reaches the message");
        assertEquals(7, d.seq());
        assertEquals(FrameError.CRC, d.error());
    }

    @Test
    void aFrameOfExactlyMaxFrameBytesIsCheckedAndOneMoreIsTooLong() {
        FrameDecoder d = new FrameDecoder();
        byte[] frame300 = run(Protocol.MAX_FRAME, 1);
        frame300 = Arrays.copyOf(frame300, 301);
        assertEquals(java.util.List.of("error crc"), ProtocolVectorsTest.feed(d, frame300),
                "300 one-bytes decode to 299 zeros: checked, not too long");
        byte[] frame301 = Arrays.copyOf(run(Protocol.MAX_FRAME + 1, 1), 302);
        assertEquals(java.util.List.of("error too_long"), ProtocolVectorsTest.feed(d, frame301));
        // The decoder starts afresh after the delimiter.
        byte[] wire = new byte[Protocol.MAX_WIRE];
        int n = new FrameEncoder().encode(new Estop(), 3, wire, 0);
        assertEquals(java.util.List.of("ok ESTOP 3"), ProtocolVectorsTest.feed(d, Arrays.copyOf(wire, n)));
        assertEquals(1, d.errors(FrameError.TOO_LONG));
        assertEquals(1, d.errors(FrameError.CRC));
    }

    @Test
    void resetFrameForgetsAPartialFrame() {
        FrameDecoder d = new FrameDecoder();
        byte[] wire = new byte[Protocol.MAX_WIRE];
        int n = new FrameEncoder().encode(new Estop(), 3, wire, 0);
        for (int i = 0; i < 5; i++) {
            d.feed(wire[i]);
        }
        d.resetFrame();
        assertEquals(java.util.List.of("ok ESTOP 3"), ProtocolVectorsTest.feed(d, Arrays.copyOf(wire, n)));
        for (int i = 0; i < 400; i++) {
            d.feed((byte) 1);
        }
        d.resetFrame();
        assertEquals(java.util.List.of("ok ESTOP 3"), ProtocolVectorsTest.feed(d, Arrays.copyOf(wire, n)),
                "an overflow is forgotten too");
    }

    @Test
    void namesOfTypesModesFaultsAndErrors() {
        assertEquals("WATCHDOG|RESET", Protocol.faultNames(Protocol.FAULT_WATCHDOG | Protocol.FAULT_RESET));
        assertEquals("none", Protocol.faultNames(0));
        assertEquals("ESTOP|JOINT_LIMIT|OVER_TEMPERATURE|SENSOR|bit6", Protocol.faultNames(0b1011110));
        assertEquals("run", Protocol.modeName(2));
        assertEquals("hold", Protocol.modeName(1));
        assertEquals("damp", Protocol.modeName(0));
        assertEquals("mode 7", Protocol.modeName(7));
        assertEquals(null, Protocol.typeName(0x12));
        assertEquals(-1, Protocol.payloadLength(0x12));
        assertEquals(FrameError.PAYLOAD_LENGTH, FrameError.ofWireName("payload_length"));
        assertThrows(IllegalArgumentException.class, () -> FrameError.ofWireName("nope"));
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder().message(0x12));
        assertEquals("STATE", new State().toString());
        assertEquals(295, Protocol.MAX_WIRE);
    }

    @Test
    void encodePayloadWritesExactlyItsBytesAndZerosTheReservedOnes() {
        for (int type : new int[]{Protocol.HELLO, Protocol.HELLO_ACK, Protocol.COMMAND, Protocol.ARM, Protocol.STATE,
                Protocol.HEARTBEAT, Protocol.ESTOP, Protocol.FAULT}) {
            Message m = Vectors.newMessage(Protocol.typeName(type));
            Randomize.fill(m, new Random(type));
            int len = Protocol.payloadLength(type);
            byte[] buf = new byte[len + 6];
            Arrays.fill(buf, (byte) 0x5A);
            m.encodePayload(buf, 3);
            for (int i : new int[]{0, 1, 2, len + 3, len + 4, len + 5}) {
                assertEquals(0x5A, buf[i], Protocol.typeName(type) + ": byte " + i + " outside the payload was written");
            }
            for (int r : FrameDecoderFuzzTest.reserved(type)) {
                assertEquals(0, buf[3 + r], Protocol.typeName(type) + ": reserved byte " + r);
            }
            Message back = Vectors.newMessage(Protocol.typeName(type));
            back.decodePayload(buf, 3);
            for (String field : Vectors.publicFields(m)) {
                assertEquals(exactField(m, field), exactField(back, field), Protocol.typeName(type) + "." + field);
            }
        }
    }

    /** A public field as text, floats by their bits. */
    static String exactField(Message m, String name) {
        try {
            Object v = m.getClass().getField(name).get(m);
            if (v instanceof float[] a) {
                StringBuilder b = new StringBuilder();
                for (float x : a) {
                    b.append(Integer.toHexString(Float.floatToRawIntBits(x))).append(' ');
                }
                return b.toString();
            } else if (v instanceof byte[] a) {
                return Arrays.toString(a);
            } else if (v instanceof Float x) {
                return Integer.toHexString(Float.floatToRawIntBits(x));
            }
            return String.valueOf(v);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cobsMaxEncodedLengthAndALaterCodePastTheEnd() {
        assertEquals(1, Cobs.maxEncodedLength(0));
        assertEquals(254, Cobs.maxEncodedLength(253));
        assertEquals(256, Cobs.maxEncodedLength(254));
        assertEquals(294, Cobs.maxEncodedLength(292), "and the 0x00: Protocol.MAX_WIRE, 295");
        assertEquals(null, uncobs(bytes(2, 9, 5, 1)), "the second code points past the end");
        assertEquals(null, uncobs(bytes(2, 9, 3, 1)), "the second code points one past the end");
        assertArrayEquals(bytes(9, 0, 1), uncobs(bytes(2, 9, 2, 1)), "exactly to the end");
    }

    @Test
    void theSmallestFramesAndPacketsGetTheirErrors() {
        FrameDecoder d = new FrameDecoder();
        assertEquals(java.util.List.of("error too_short"), ProtocolVectorsTest.feed(d, bytes(1, 0)),
                "a frame that decodes to no byte at all");
        // A 12-byte packet: a header that says length 0 and a good CRC. Not too short; the wrong length for Estop.
        byte[] packet = bytes(1, Protocol.ESTOP, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0);
        CRC32C c = new CRC32C();
        c.update(packet, 0, 8);
        long v = c.getValue();
        for (int i = 0; i < 4; i++) {
            packet[8 + i] = (byte) (v >>> (8 * i));
        }
        byte[] wire = new byte[40];
        int n = Cobs.encode(packet, 0, 12, wire, 0);
        assertEquals(java.util.List.of("error payload_length"), ProtocolVectorsTest.feed(d, Arrays.copyOf(wire, n + 1)));
        assertTrue(d.estop() != null && d.hello() != null && d.helloAck() != null && d.command() != null
                && d.arm() != null && d.heartbeat() != null && d.fault() != null);
        assertEquals(0, d.type(), "no good packet yet");
    }

    @Test
    void packWorksAtAnOffset() {
        FrameEncoder e = new FrameEncoder();
        Heartbeat h = new Heartbeat();
        Randomize.fill(h, new Random(9));
        byte[] at0 = new byte[Protocol.MAX_PACKET], at7 = new byte[Protocol.MAX_PACKET + 7];
        int n = e.pack(h, 77, at0, 0);
        assertEquals(44, e.pack(h, 77, at7, 7));
        assertArrayEquals(Arrays.copyOf(at0, n), Arrays.copyOfRange(at7, 7, 7 + n));
    }

    @Test
    void aShortRobotNameClearsALongerOne() {
        HelloAck a = new HelloAck();
        a.setRobotName("sixteen-chars-ok");
        a.setRobotName("x");
        assertEquals("x", a.robotName());
        assertEquals(0, a.robot[1]);
        assertEquals("none", Protocol.faultNames(1L << 32), "faults are 32 bits");
    }
}
