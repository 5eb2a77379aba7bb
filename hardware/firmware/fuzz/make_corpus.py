#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from the shared test vectors (hardware/protocol/vectors.txt).

  fuzz/corpus/fuzz_receiver/seed-*   every vector's wire bytes, and a few concatenations
  fuzz/corpus/fuzz_firmware/seed-*   board header (8 bytes, see fuzz_firmware.c) + a host session: the vectors' Hello,
                                     Arm and Commands as wire bytes (raw mode) or as packets without CRC (packet mode),
                                     plus sessions of packets made with make_vectors.py's packer (hold, damp, run,
                                     Estop, re-arm, a version-2 Hello, bad values)

Run from hardware/firmware:  python3 fuzz/make_corpus.py   (deterministic; `make fuzz-corpus`). Seeds are only
added or overwritten, so inputs a fuzz run added to the corpus directories stay.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOL = os.path.join(HERE, "..", "..", "protocol")
sys.dont_write_bytecode = True  # leave no __pycache__ in hardware/protocol/
sys.path.insert(0, PROTOCOL)
import make_vectors as mv  # noqa: E402  (the independent Python packer: payload(), packet(), cobs())


def read_vectors(path):
    vectors, cur = [], None
    for line in open(path):
        line = line.strip()
        if line.startswith("vector "):
            cur = {"name": line.split(" ", 1)[1]}
        elif line == "end" and cur is not None:
            vectors.append(cur)
            cur = None
        elif cur is not None and " " in line:
            key, value = line.split(" ", 1)
            cur.setdefault(key, value)
    return vectors


def uncobs(frame):
    return mv.uncobs(frame)


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "seed-" + name), "wb") as f:
        f.write(data)


def record(pkt_with_crc):
    """Packet-mode record: length byte + packet without its CRC."""
    body = pkt_with_crc[:-4]
    assert len(body) < 256
    return bytes([len(body)]) + body


def command(seq, mode, kp=60.0, kd=4.0, interp=50000, offset=0.0, tau_ff=0.0, host_time=1000, flags=0):
    stand = [0.05, 0.9, -1.8] * 4
    fields = {"host_time_us": host_time, "mode": mode, "flags": flags, "interp_us": interp,
              "q_target": [s + offset for s in stand], "kp": [kp] * 12, "kd": [kd] * 12, "tau_ff": [tau_ff] * 12}
    return mv.packet("COMMAND", seq, mv.payload("COMMAND", fields))


def hello(seq, session, period=10000, protocol_version=1, version=1):
    return mv.packet("HELLO", seq, mv.payload("HELLO", {"protocol_version": protocol_version, "session": session,
                                                         "state_period_us": period}), version=version)


def arm(seq, clear=0x3F):
    return mv.packet("ARM", seq, mv.payload("ARM", {"clear_faults": clear}))


def estop(seq, reason=0):
    return mv.packet("ESTOP", seq, mv.payload("ESTOP", {"reason": reason}))


def heartbeat(seq, t):
    return mv.packet("HEARTBEAT", seq, mv.payload("HEARTBEAT", {"time_us": t, "echo_time_us": 0, "rx_ok": 0,
                                                                 "rx_bad": 0, "commands_applied": 0,
                                                                 "commands_rejected": 0}))


def header(per_tick=263, late=0, glitch=0, estop_rate=0, space=0, idle=0, seed=1, packets=True, idle_step_ms=1):
    """The 8-byte board header of fuzz_firmware.c."""
    assert 8 <= per_tick <= 263 and idle < 16 and idle_step_ms in (1, 8)
    return bytes([263 - per_tick, late, glitch, estop_rate, space, idle | (0x80 if idle_step_ms == 8 else 0), seed,
                  1 if packets else 0])


def main():
    vectors = read_vectors(os.path.join(PROTOCOL, "vectors.txt"))
    wires = {v["name"]: bytes.fromhex(v["wire"]) for v in vectors}
    rx = os.path.join(HERE, "corpus", "fuzz_receiver")
    fw = os.path.join(HERE, "corpus", "fuzz_firmware")

    # Receiver: every vector, and every valid vector back to back.
    for name, w in wires.items():
        write(rx, name, w)
    valid = [wires[v["name"]] for v in vectors if v.get("kind") == "valid"]
    write(rx, "valid_1k", b"".join(valid)[:1024])
    write(rx, "streams", b"".join(w for n, w in wires.items() if n.startswith("stream_"))[:1024])

    # Firmware, raw mode: the vectors' own Hello (period 10 ms), Arm (clears RESET and WATCHDOG) and Commands.
    session = wires["hello_0"] + wires["arm_0"] + wires["command_0"] + wires["command_1"]
    write(fw, "raw_session", header(packets=False) + b"\0" + session)
    write(fw, "raw_session_slow", header(per_tick=12, idle=15, idle_step_ms=8, packets=False) + session + wires["heartbeat_0"]
          + wires["estop_0"])
    write(fw, "raw_everything", header(per_tick=64, late=8, glitch=8, estop_rate=4, space=160, idle=15,
                                       packets=False) + b"".join(wires.values())[:1016])

    # Firmware, packet mode (the harness adds the CRC and the framing).
    def packets(*pkts):
        return b"".join(record(p) for p in pkts)

    s = 1
    run_session = [hello(s, 0x1234), arm(s + 1)] + [command(s + 2 + i, 2, offset=0.02 * (i % 5)) for i in range(6)]
    write(fw, "pkt_run", header(idle=15, idle_step_ms=8) + packets(*run_session[:6]))
    write(fw, "pkt_run_slow_link", header(per_tick=12, idle=15) + packets(*run_session[:5]))
    write(fw, "pkt_hold_damp", header(idle=15) + packets(
        hello(1, 7), arm(2), command(3, 1, kp=80, kd=2), command(4, 1, kp=500, kd=50)))
    write(fw, "pkt_damp_run_limits", header(idle=15) + packets(
        hello(1, 8), arm(2), command(5, 0), command(6, 2, interp=0, offset=0.3, kp=500, tau_ff=33.5),
        command(7, 2, interp=1000000, offset=-0.5)))
    write(fw, "pkt_estop_rearm", header(idle=15, idle_step_ms=8) + packets(
        hello(1, 9), arm(2), command(3, 2), estop(4, 1), command(5, 2), arm(6, 0x02), command(7, 1),
        heartbeat(8, 123456)))
    write(fw, "pkt_stale", header(idle=5) + packets(
        hello(1, 10), arm(2), command(7, 1), command(7, 1), command(6, 2)))
    write(fw, "pkt_bad_hello", header(idle=3) + packets(
        hello(1, 11, period=999), hello(2, 11, protocol_version=2), hello(3, 11, protocol_version=2, version=2),
        hello(4, 11, period=100000), arm(5, 0x21), command(6, 3), command(7, 2, flags=1),
        command(8, 2, interp=1000001)))
    write(fw, "pkt_bad_values", header(idle=3) + packets(
        hello(1, 12, period=1000), arm(2, 0x21), command(9, 2, kp=500.5), command(10, 2, kd=-1.0)))
    write(fw, "pkt_bad_floats", header(idle=3) + packets(
        hello(1, 12, period=1000), arm(2, 0x21), command(11, 2, tau_ff=40.0), command(12, 2, offset=float("nan"))))
    write(fw, "pkt_seq_wrap", header(idle=3) + packets(
        hello(1, 12, period=1000), arm(2, 0x21), command(0x7FFFFFFF, 1), command(0x80000000, 1),
        command(0xFFFFFFFF, 1), command(0, 2)))
    write(fw, "pkt_watchdog", header(late=40, idle=15, idle_step_ms=8) + packets(
        hello(1, 13), arm(2), command(3, 2), command(4, 2), arm(5, 0x01), command(6, 2)))
    write(fw, "pkt_faults", header(per_tick=40, glitch=40, estop_rate=30, space=180, idle=15, seed=7) + packets(
        hello(1, 17, period=1000), arm(2), command(3, 1), arm(4), command(5, 2), arm(6), command(7, 2), arm(8)))
    print("wrote", rx, "and", fw)


if __name__ == "__main__":
    main()
