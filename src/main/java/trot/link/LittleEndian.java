package trot.link;

/** Little-endian reads and writes of the protocol's integer and float fields in a byte array. */
final class LittleEndian {
    private LittleEndian() {
    }

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    static int i32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }

    static long u32(byte[] b, int i) {
        return i32(b, i) & 0xFFFF_FFFFL;
    }

    static long u64(byte[] b, int i) {
        return (i32(b, i) & 0xFFFF_FFFFL) | (long) i32(b, i + 4) << 32;
    }

    static float f32(byte[] b, int i) {
        return Float.intBitsToFloat(i32(b, i));
    }

    static void put8(byte[] b, int i, int v) {
        b[i] = (byte) v;
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int i, long v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    static void put64(byte[] b, int i, long v) {
        put32(b, i, v);
        put32(b, i + 4, v >>> 32);
    }

    /** Writes the float's bits as they are (a NaN keeps its payload, so decode-encode is exact). */
    static void putF32(byte[] b, int i, float v) {
        put32(b, i, Float.floatToRawIntBits(v));
    }

    static void zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            b[i] = 0;
        }
    }
}
