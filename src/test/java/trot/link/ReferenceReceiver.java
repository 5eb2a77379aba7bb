package trot.link;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A second, deliberately plain receiver for the fuzz test: a line-for-line port of {@code receive()} in
 * hardware/protocol/make_vectors.py (the vectors' independent writer), sharing no code with {@link FrameDecoder}.
 * Its results read as in vectors.txt: "ok STATE 42" or "error crc".
 */
final class ReferenceReceiver {
    private static final int[][] TYPES = {{0x01, 16}, {0x02, 36}, {0x10, 208}, {0x11, 8}, {0x20, 280}, {0x30, 32},
            {0x40, 4}, {0x50, 24}};
    private static final String[] NAMES = {"HELLO", "HELLO_ACK", "COMMAND", "ARM", "STATE", "HEARTBEAT", "ESTOP", "FAULT"};

    private ReferenceReceiver() {
    }

    /** The decoded packet of a frame (without its 0x00), or null when it is not COBS. */
    static byte[] uncobs(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < data.length) {
            int code = data[i] & 0xFF;
            if (code == 0 || i + code > data.length) {
                return null;
            }
            out.write(data, i + 1, code - 1);
            i += code;
            if (code < 255 && i < data.length) {
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    static String check(byte[] pkt) {
        if (pkt.length < 12) {
            return "error too_short";
        }
        CRC32C crc = new CRC32C();
        crc.update(pkt, 0, pkt.length - 4);
        long got = (pkt[pkt.length - 4] & 0xFFL) | (pkt[pkt.length - 3] & 0xFFL) << 8 | (pkt[pkt.length - 2] & 0xFFL) << 16
                | (pkt[pkt.length - 1] & 0xFFL) << 24;
        if (got != crc.getValue()) {
            return "error crc";
        }
        int version = pkt[0] & 0xFF, t = pkt[1] & 0xFF, n = (pkt[2] & 0xFF) | (pkt[3] & 0xFF) << 8;
        long seq = (pkt[4] & 0xFFL) | (pkt[5] & 0xFFL) << 8 | (pkt[6] & 0xFFL) << 16 | (pkt[7] & 0xFFL) << 24;
        int kind = -1;
        for (int k = 0; k < TYPES.length; k++) {
            if (TYPES[k][0] == t) {
                kind = k;
            }
        }
        if (version != 1 && !(kind == 0 || kind == 1)) {
            return "error version";
        }
        if (12 + n != pkt.length) {
            return "error length";
        }
        if (kind < 0) {
            return "error type";
        }
        if (n != TYPES[kind][1]) {
            return "error payload_length";
        }
        return "ok " + NAMES[kind] + " " + seq;
    }

    /** Result codes of {@link #code}: a good packet is (type << 32 | seq), an error -(1 + its index in ERRORS). */
    static final String[] ERRORS = {"too_long", "cobs", "too_short", "crc", "version", "length", "type", "payload_length"};

    /** The result of {@link #check} as a code: a good packet is (type << 32 | seq), an error -(1 + index). */
    static long code(String result) {
        if (result.startsWith("ok ")) {
            String[] f = result.split(" ");
            int type = 0;
            for (int k = 0; k < NAMES.length; k++) {
                if (NAMES[k].equals(f[1])) {
                    type = TYPES[k][0];
                }
            }
            return (long) type << 32 | Long.parseLong(f[2]);
        }
        return -(1 + java.util.Arrays.asList(ERRORS).indexOf(result.substring(6)));
    }

    /**
     * The same receiver, without strings, for the fuzzer's speed: result codes (as {@link #code}) into
     * {@code results}, and each frame's [start, end) in {@code stream} into {@code frames}; returns the count.
     */
    static int receive(byte[] stream, long[] results, int[] frames) {
        int count = 0, start = 0, size = 0;
        boolean overflow = false;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] != 0) {
                if (size < 300) {
                    size++;
                } else {
                    overflow = true;
                }
                continue;
            }
            if (overflow || size > 0) {
                String r = overflow ? "error too_long" : checkFrame(java.util.Arrays.copyOfRange(stream, start, start + size));
                results[count] = code(r);
                frames[2 * count] = start;
                frames[2 * count + 1] = start + size;
                count++;
            }
            start = i + 1;
            size = 0;
            overflow = false;
        }
        return count;
    }

    private static String checkFrame(byte[] frame) {
        byte[] pkt = uncobs(frame);
        return pkt == null ? "error cobs" : check(pkt);
    }

    /** The results of feeding {@code stream} to one receiver, and the frames (without 0x00) they came from. */
    static List<String> receive(byte[] stream, List<byte[]> frames) {
        List<String> results = new ArrayList<>();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        boolean overflow = false;
        for (byte b : stream) {
            if (b != 0) {
                if (frame.size() < 300) {
                    frame.write(b);
                } else {
                    overflow = true;
                }
                continue;
            }
            if (overflow) {
                results.add("error too_long");
                frames.add(null);
            } else if (frame.size() > 0) {
                byte[] pkt = uncobs(frame.toByteArray());
                results.add(pkt == null ? "error cobs" : check(pkt));
                frames.add(frame.toByteArray());
            }
            frame.reset();
            overflow = false;
        }
        return results;
    }
}
