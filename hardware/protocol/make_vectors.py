#!/usr/bin/env python3
"""Writes vectors.txt: the shared test vectors of the trot serial protocol v1 (protocol.md).

An independent third implementation of the wire format (Python's struct, a bitwise CRC-32C, a plain COBS), so that
the C firmware and the Java host are each checked against something neither of them wrote.
Run: python3 hardware/protocol/make_vectors.py   (deterministic: the same file every time)
"""
import os
import random
import struct

VERSION = 1
JOINTS, FEET = 12, 4
TYPES = {"HELLO": 0x01, "HELLO_ACK": 0x02, "COMMAND": 0x10, "ARM": 0x11, "STATE": 0x20,
         "HEARTBEAT": 0x30, "ESTOP": 0x40, "FAULT": 0x50}
LENGTHS = {"HELLO": 16, "HELLO_ACK": 36, "COMMAND": 208, "ARM": 8, "STATE": 280,
           "HEARTBEAT": 32, "ESTOP": 4, "FAULT": 24}
MAX_FRAME = 300


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def cobs(data):
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block = bytearray()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def fmt(v):
    if isinstance(v, float):
        return "%.9g" % v
    if isinstance(v, bytes):
        return v.rstrip(b"\0").decode("ascii")
    return str(v)


def uncobs(data):
    """Decoded bytes, or None when data is not valid COBS."""
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            return None
        out += data[i + 1:i + code]
        i += code
        if code < 255 and i < len(data):
            out.append(0)
    return bytes(out)


def check(pkt):
    """The receive checks of protocol.md section 1, 4..9: 'ok KIND seq' or 'error kind'."""
    if len(pkt) < 12:
        return "error too_short"
    if struct.unpack("<I", pkt[-4:])[0] != crc32c(pkt[:-4]):
        return "error crc"
    version, t, n, seq = struct.unpack("<BBHI", pkt[:8])
    kinds = {v: k for k, v in TYPES.items()}
    if version != VERSION and kinds.get(t) not in ("HELLO", "HELLO_ACK"):
        return "error version"
    if 12 + n != len(pkt):
        return "error length"
    if t not in kinds:
        return "error type"
    if n != LENGTHS[kinds[t]]:
        return "error payload_length"
    return "ok %s %d" % (kinds[t], seq)


def receive(stream):
    """Results of feeding a byte stream to one receiver."""
    results, frame, overflow = [], bytearray(), False
    for b in stream:
        if b != 0:
            if len(frame) < MAX_FRAME:
                frame.append(b)
            else:
                overflow = True
            continue
        if overflow:
            results.append("error too_long")
        elif frame:
            pkt = uncobs(bytes(frame))
            results.append("error cobs" if pkt is None else check(pkt))
        frame, overflow = bytearray(), False
    return results


# Field layouts: (name, struct code, count). "s16" is a 16-byte NUL-padded ASCII string.
LAYOUT = {
    "HELLO": [("protocol_version", "H", 1), ("_r0", "H", 1), ("session", "I", 1), ("state_period_us", "I", 1),
              ("_r1", "I", 1)],
    "HELLO_ACK": [("protocol_version", "H", 1), ("status", "B", 1), ("joints", "B", 1), ("session", "I", 1),
                  ("state_period_us", "I", 1), ("firmware_version", "I", 1), ("feet", "B", 1), ("_r0", "3s", 1),
                  ("robot", "16s", 1)],
    "COMMAND": [("host_time_us", "Q", 1), ("mode", "B", 1), ("flags", "B", 1), ("_r0", "H", 1),
                ("interp_us", "I", 1), ("joints", "JCMD", JOINTS)],
    "ARM": [("clear_faults", "I", 1), ("_r0", "I", 1)],
    "STATE": [("fw_time_us", "Q", 1), ("echo_host_time_us", "Q", 1), ("last_command_seq", "I", 1),
              ("faults", "I", 1), ("status", "I", 1), ("mode", "B", 1), ("_r0", "3s", 1), ("quat", "f", 4),
              ("gyro", "f", 3), ("accel", "f", 3), ("joints", "JST", JOINTS), ("foot_force", "f", FEET)],
    "HEARTBEAT": [("time_us", "Q", 1), ("echo_time_us", "Q", 1), ("rx_ok", "I", 1), ("rx_bad", "I", 1),
                  ("commands_applied", "I", 1), ("commands_rejected", "I", 1)],
    "ESTOP": [("reason", "I", 1)],
    "FAULT": [("fw_time_us", "Q", 1), ("fault", "I", 1), ("faults", "I", 1), ("joint", "B", 1), ("_r0", "3s", 1),
              ("value", "f", 1)],
}
JOINT_FIELDS = {"JCMD": ["q_target", "kp", "kd", "tau_ff"], "JST": ["q", "dq", "tau_est", "temp_c"]}


def payload(kind, fields):
    out = bytearray()
    for name, code, count in LAYOUT[kind]:
        if code in JOINT_FIELDS:
            names = JOINT_FIELDS[code]
            for j in range(count):
                for n in names:
                    out += struct.pack("<f", fields[n][j])
        elif name.startswith("_"):
            out += b"\0" * struct.calcsize("<" + code)
        elif count == 1:
            out += struct.pack("<" + code, fields[name])
        else:
            out += struct.pack("<%d%s" % (count, code), *fields[name])
    assert len(out) == LENGTHS[kind], (kind, len(out))
    return bytes(out)


def packet(kind, seq, body, version=VERSION, type_id=None, length=None):
    t = TYPES[kind] if type_id is None else type_id
    n = len(body) if length is None else length
    head = struct.pack("<BBHI", version, t, n, seq) + body
    return head + struct.pack("<I", crc32c(head))


def wire(pkt):
    return cobs(pkt) + b"\0"


def field_lines(kind, fields):
    lines = []
    for name, code, count in LAYOUT[kind]:
        if name.startswith("_"):
            continue
        if code in JOINT_FIELDS:
            for n in JOINT_FIELDS[code]:
                lines.append("%s %s" % (n, " ".join(fmt(v) for v in fields[n])))
        elif count == 1:
            lines.append("%s %s" % (name, fmt(fields[name])))
        else:
            lines.append("%s %s" % (name, " ".join(fmt(v) for v in fields[name])))
    return lines


rng = random.Random(20261202)


def rf(lo, hi):
    return f32(rng.uniform(lo, hi))


def sample(kind):
    """Fields of a plausible message of this kind."""
    if kind == "HELLO":
        return {"protocol_version": 1, "session": rng.randrange(1, 2 ** 32), "state_period_us": 10000}
    if kind == "HELLO_ACK":
        return {"protocol_version": 1, "status": 0, "joints": 12, "session": rng.randrange(1, 2 ** 32),
                "state_period_us": 10000, "firmware_version": 0x000100, "feet": 4, "robot": b"A1-emulated"}
    if kind == "COMMAND":
        stand = [0.05, 0.9, -1.8] * 4
        return {"host_time_us": rng.randrange(0, 2 ** 40), "mode": 2, "flags": 0, "interp_us": 50000,
                "q_target": [f32(s + rng.uniform(-0.2, 0.2)) for s in stand], "kp": [60.0] * 12, "kd": [4.0] * 12,
                "tau_ff": [rf(-1, 1) for _ in range(12)]}
    if kind == "ARM":
        return {"clear_faults": 0x21}
    if kind == "STATE":
        return {"fw_time_us": rng.randrange(0, 2 ** 40), "echo_host_time_us": rng.randrange(0, 2 ** 40),
                "last_command_seq": rng.randrange(0, 2 ** 32), "faults": 0, "status": 3, "mode": 2,
                "quat": [f32(0.999), f32(0.01), f32(-0.02), f32(0.03)], "gyro": [rf(-1, 1) for _ in range(3)],
                "accel": [rf(-1, 1), rf(-1, 1), rf(9, 10.5)], "q": [rf(-2, 2) for _ in range(12)],
                "dq": [rf(-10, 10) for _ in range(12)], "tau_est": [rf(-30, 30) for _ in range(12)],
                "temp_c": [rf(25, 45) for _ in range(12)], "foot_force": [rf(0, 80) for _ in range(4)]}
    if kind == "HEARTBEAT":
        return {"time_us": rng.randrange(0, 2 ** 40), "echo_time_us": rng.randrange(0, 2 ** 40),
                "rx_ok": rng.randrange(0, 2 ** 20), "rx_bad": rng.randrange(0, 100),
                "commands_applied": rng.randrange(0, 2 ** 20), "commands_rejected": rng.randrange(0, 100)}
    if kind == "ESTOP":
        return {"reason": 1}
    if kind == "FAULT":
        return {"fw_time_us": rng.randrange(0, 2 ** 40), "fault": 4, "faults": 0x25, "joint": 7,
                "value": f32(-2.81)}
    raise KeyError(kind)


def main():
    out = ["# trot serial protocol v1: shared test vectors (protocol.md section 7).",
           "# Written by make_vectors.py; do not edit by hand."]

    def emit(lines):
        out.append("")
        out.extend(lines)
        out.append("end")

    valid = []
    for kind in TYPES:
        for i in range(2):
            f = sample(kind)
            seq = rng.randrange(0, 2 ** 32) if i else i + 1
            w = wire(packet(kind, seq, payload(kind, f)))
            assert receive(w) == ["ok %s %d" % (kind, seq)]
            valid.append((kind, seq, w))
            emit(["vector %s_%d" % (kind.lower(), i), "kind valid", "wire " + w.hex(), "type " + kind,
                  "seq %d" % seq] + field_lines(kind, f))

    # Edge values: zeros everywhere (COBS of long zero runs), and all 0xFF-ish values (long non-zero runs, 254-blocks).
    zero_cmd = {"host_time_us": 0, "mode": 0, "flags": 0, "interp_us": 0, "q_target": [0.0] * 12,
                "kp": [0.0] * 12, "kd": [0.0] * 12, "tau_ff": [0.0] * 12}
    w = wire(packet("COMMAND", 0, payload("COMMAND", zero_cmd)))
    emit(["vector command_zeros", "kind valid", "wire " + w.hex(), "type COMMAND", "seq 0"]
         + field_lines("COMMAND", zero_cmd))
    dense = sample("STATE")
    dense.update({"fw_time_us": 2 ** 64 - 1, "echo_host_time_us": 2 ** 64 - 2, "last_command_seq": 2 ** 32 - 1,
                  "faults": 0x3F, "status": 0x1F, "mode": 1, "q": [f32(-1.5 - 0.01 * j) for j in range(12)],
                  "dq": [f32(-3.3)] * 12, "tau_est": [f32(-7.77)] * 12, "temp_c": [f32(61.5)] * 12})
    w = wire(packet("STATE", 2 ** 32 - 1, payload("STATE", dense)))
    emit(["vector state_dense", "kind valid", "wire " + w.hex(), "type STATE", "seq %d" % (2 ** 32 - 1)]
         + field_lines("STATE", dense))
    # Hello with a future header version: accepted by the frozen-layout rule (protocol.md section 4).
    h = {"protocol_version": 2, "session": 77, "state_period_us": 20000}
    w = wire(packet("HELLO", 5, payload("HELLO", h), version=2))
    emit(["vector hello_version2", "kind valid", "wire " + w.hex(), "type HELLO", "seq 5"] + field_lines("HELLO", h))

    # Invalid frames.
    state = sample("STATE")
    good = packet("STATE", 42, payload("STATE", state))

    def bad(name, w, error):
        assert receive(w) == ["error " + error], (name, receive(w))
        emit(["vector " + name, "kind invalid", "wire " + w.hex(), "error " + error])

    for bit in (0, 100, 8 * len(good) - 1):
        flipped = bytearray(good)
        flipped[bit // 8] ^= 1 << (bit % 8)
        bad("crc_bitflip_%d" % bit, wire(bytes(flipped)), "crc")
    bad("crc_swapped_bytes", wire(good[:20] + good[21:22] + good[20:21] + good[22:]), "crc")
    bad("version_0", wire(packet("STATE", 42, payload("STATE", state), version=0)), "version")
    bad("version_2", wire(packet("COMMAND", 9, payload("COMMAND", sample("COMMAND")), version=2)), "version")
    bad("length_says_more", wire(packet("ARM", 3, payload("ARM", sample("ARM")), length=9)), "length")
    bad("length_says_less", wire(packet("ARM", 3, payload("ARM", sample("ARM")), length=7)), "length")
    bad("type_unknown", wire(packet("ARM", 3, payload("ARM", sample("ARM")), type_id=0x12)), "type")
    bad("type_zero", wire(packet("ESTOP", 3, payload("ESTOP", sample("ESTOP")), type_id=0)), "type")
    short_arm = packet("ARM", 3, b"\1\2\3\4")  # consistent length field, wrong payload length for ARM
    bad("payload_length_arm_4", wire(short_arm), "payload_length")
    bad("payload_length_state_279", wire(packet("STATE", 1, payload("STATE", state)[:279])), "payload_length")
    bad("too_short_11", wire(good[:11]), "too_short")
    bad("too_short_1", wire(b"\x01"), "too_short")
    bad("cobs_code_past_end", bytes([0x05, 0x11, 0x22, 0x00]), "cobs")
    bad("cobs_code_255_short", bytes([0xFF, 0x01, 0x02, 0x00]), "cobs")
    bad("too_long", bytes([0x01]) * (MAX_FRAME + 1) + b"\0", "too_long")
    long_packet = packet("STATE", 1, payload("STATE", state) + bytes(range(1, 40)))
    bad("too_long_valid_cobs", wire(long_packet), "too_long")
    bad("truncated_frame", wire(good)[:150] + b"\0", "cobs")

    # Streams: one receiver fed everything, in order.
    streams = []
    k1, s1, w1 = valid[4]   # COMMAND
    k2, s2, w2 = valid[8]   # STATE
    k3, s3, w3 = valid[10]  # HEARTBEAT
    streams.append(("back_to_back", w1 + w2 + w3, ["ok %s %d" % (k1, s1), "ok %s %d" % (k2, s2), "ok %s %d" % (k3, s3)]))
    streams.append(("leading_garbage_merges", b"\x13\x37\x42" + w1, ["error crc"]))
    streams.append(("leading_garbage_delimited", b"\x13\x37\x42\0" + w1, ["error cobs", "ok %s %d" % (k1, s1)]))
    streams.append(("empty_frames_ignored", b"\0\0" + w2 + b"\0" + w3, ["ok %s %d" % (k2, s2), "ok %s %d" % (k3, s3)]))
    streams.append(("join_mid_frame", w2[100:] + w1, ["error cobs", "ok %s %d" % (k1, s1)]))
    streams.append(("overflow_then_good", bytes([0x01]) * 400 + b"\0" + w3, ["error too_long", "ok %s %d" % (k3, s3)]))
    flipped = bytearray(w2)
    flipped[50] = flipped[50] ^ 0x40 if flipped[50] ^ 0x40 else flipped[50] ^ 0x41
    streams.append(("corrupt_between_good", w1 + bytes(flipped) + w3,
                    ["ok %s %d" % (k1, s1), "error crc", "ok %s %d" % (k3, s3)]))
    # A zero inserted inside a frame splits it in two bad frames.
    split = w1[:60] + b"\0" + w1[60:]
    streams.append(("zero_inserted", split + w3, ["error cobs", "error cobs", "ok %s %d" % (k3, s3)]))
    for name, w, expect in streams:
        if receive(w) != expect:
            print("stream %s: expected %s, the reference receiver gives %s; using the latter" % (name, expect, receive(w)))
            expect = receive(w)
        emit(["vector stream_" + name, "kind stream", "wire " + w.hex()] + ["expect " + e for e in expect])

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
