package trot.link;

import java.util.zip.CRC32C;

/**
 * Message and sequence number to wire bytes (protocol.md section 1): header, payload, CRC-32C of both, COBS, 0x00.
 * One encoder per sending thread; allocates nothing after construction.
 */
public final class FrameEncoder {
    private final byte[] packet = new byte[Protocol.MAX_PACKET];
    private final CRC32C crc = new CRC32C();

    /**
     * Encodes {@code message} as packet {@code seq} into {@code wire} from {@code offset}: COBS(packet) and the final
     * 0x00. {@code wire} needs {@link Protocol#MAX_WIRE} bytes of room from {@code offset}.
     *
     * @param seq the sender's sequence number, 0 .. 2<sup>32</sup>-1
     * @return the bytes written
     * @throws IllegalArgumentException when {@code seq} or a field of the message is outside its wire range
     */
    public int encode(Message message, long seq, byte[] wire, int offset) {
        return encode(message, seq, Protocol.VERSION, wire, offset);
    }

    /** As {@link #encode(Message, long, byte[], int)} with another header version: for tests of a version mismatch. */
    int encode(Message message, long seq, int headerVersion, byte[] wire, int offset) {
        int n = pack(message, seq, headerVersion, packet, 0);
        int w = Cobs.encode(packet, 0, n, wire, offset);
        wire[offset + w] = 0;
        return w + 1;
    }

    /**
     * Writes the packet (header, payload, CRC; no COBS) of {@code message} into {@code out} from {@code offset}.
     *
     * @return the packet length, 12 + payload length
     */
    public int pack(Message message, long seq, byte[] out, int offset) {
        return pack(message, seq, Protocol.VERSION, out, offset);
    }

    private int pack(Message message, long seq, int headerVersion, byte[] out, int offset) {
        if ((seq & ~0xFFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("seq is a u32, 0..4294967295, got " + seq);
        }
        int length = message.payloadLength();
        LittleEndian.put8(out, offset, headerVersion);
        LittleEndian.put8(out, offset + 1, message.type());
        LittleEndian.put16(out, offset + 2, length);
        LittleEndian.put32(out, offset + 4, seq);
        message.encodePayload(out, offset + Protocol.HEADER_BYTES);
        int crcAt = offset + Protocol.HEADER_BYTES + length;
        crc.reset();
        crc.update(out, offset, crcAt - offset);
        LittleEndian.put32(out, crcAt, crc.getValue());
        return crcAt + Protocol.CRC_BYTES - offset;
    }
}
