package trot.link;

/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker 1999), as protocol.md section 1 uses it: the encoding has
 * no zero byte, so 0x00 can delimit frames. Every run of 254 non-zero bytes gets a 0xFF code and the encoding
 * always ends with the code of the last (possibly empty) block, as the shared test vectors' writer does. Works on
 * arrays the caller owns; allocates nothing.
 */
public final class Cobs {
    private Cobs() {
    }

    /** The most bytes {@link #encode} writes for {@code n} input bytes. */
    public static int maxEncodedLength(int n) {
        return n + n / 254 + 1;
    }

    /**
     * Encodes {@code in[inOffset .. inOffset+n)} into {@code out} from {@code outOffset}, without a delimiter.
     *
     * @return the number of bytes written, at most {@link #maxEncodedLength}(n)
     * @throws ArrayIndexOutOfBoundsException when {@code out} has less room than that
     */
    public static int encode(byte[] in, int inOffset, int n, byte[] out, int outOffset) {
        int o = outOffset;
        int codeAt = o++;
        int code = 1;
        for (int i = inOffset, end = inOffset + n; i < end; i++) {
            byte b = in[i];
            if (b == 0) {
                out[codeAt] = (byte) code;
                codeAt = o++;
                code = 1;
            } else {
                out[o++] = b;
                code++;
                if (code == 0xFF) {
                    out[codeAt] = (byte) 0xFF;
                    codeAt = o++;
                    code = 1;
                }
            }
        }
        out[codeAt] = (byte) code;
        return o - outOffset;
    }

    /**
     * Decodes {@code n} bytes of COBS (without the delimiter) from {@code in[inOffset..]} into {@code out} from
     * {@code outOffset}; {@code out} needs room for {@code n} bytes.
     *
     * @return the decoded length, or -1 when the input is not COBS: a zero byte, or a code that points past the end
     */
    public static int decode(byte[] in, int inOffset, int n, byte[] out, int outOffset) {
        int o = outOffset;
        int i = inOffset;
        int end = inOffset + n;
        while (i < end) {
            int code = in[i] & 0xFF;
            if (code == 0 || code > end - i) {
                return -1;
            }
            int blockEnd = i + code;
            for (int k = i + 1; k < blockEnd; k++) {
                byte b = in[k];
                if (b == 0) {
                    return -1;
                }
                out[o++] = b;
            }
            i = blockEnd;
            if (code < 0xFF && i < end) {
                out[o++] = 0;
            }
        }
        return o - outOffset;
    }
}
