package trot.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import trot.link.Command;
import trot.link.FrameDecoder;
import trot.link.FrameEncoder;
import trot.link.Protocol;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The serial protocol's codec (trot.link): one State frame (292-byte packet, 295 bytes on the wire at most) and one
 * Command frame (220 / 222) encoded (header, payload, CRC-32C, COBS) and decoded byte by byte (COBS, the checks,
 * the payload). Average time per frame; run with {@code -prof gc}: gc.alloc.rate.norm is the bytes per frame (0).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LinkBenchmarks {

    /** A State and a Command with random plausible values, an encoder, a decoder, and their frames on the wire. */
    @State(Scope.Thread)
    public static class Frames {
        final trot.link.State state = new trot.link.State();
        final Command command = new Command();
        final FrameEncoder encoder = new FrameEncoder();
        final FrameDecoder decoder = new FrameDecoder();
        final byte[] wire = new byte[Protocol.MAX_WIRE];
        byte[] stateWire, commandWire;
        long seq = 1;

        @Setup(Level.Trial)
        public void setup() {
            SplittableRandom r = new SplittableRandom(1);
            state.fwTime_us = 123_456_789L;
            state.echoHostTime_us = 123_450_000L;
            state.lastCommandSeq = 4242;
            state.status = Protocol.STATUS_ARMED | Protocol.STATUS_SESSION;
            state.mode = Protocol.MODE_RUN;
            fill(r, state.quat, -1, 1);
            fill(r, state.gyro_radps, -1, 1);
            fill(r, state.accel_mps2, -1, 10);
            fill(r, state.q_rad, -2, 2);
            fill(r, state.dq_radps, -10, 10);
            fill(r, state.tauEst_Nm, -30, 30);
            fill(r, state.temp_C, 25, 45);
            fill(r, state.footForce_N, 0, 80);
            command.hostTime_us = 123_450_000L;
            command.mode = Protocol.MODE_RUN;
            command.interp_us = 50_000;
            fill(r, command.qTarget_rad, -2, 2);
            java.util.Arrays.fill(command.kp, 60f);
            java.util.Arrays.fill(command.kd, 4f);
            fill(r, command.tauFf_Nm, -1, 1);
            stateWire = java.util.Arrays.copyOf(wire, encoder.encode(state, 7, wire, 0));
            commandWire = java.util.Arrays.copyOf(wire, encoder.encode(command, 8, wire, 0));
        }

        static void fill(SplittableRandom r, float[] a, double lo, double hi) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextDouble(lo, hi);
            }
        }
    }

    @Benchmark
    public int encodeState(Frames f) {
        return f.encoder.encode(f.state, f.seq++ & 0xFFFF_FFFFL, f.wire, 0);
    }

    @Benchmark
    public int encodeCommand(Frames f) {
        return f.encoder.encode(f.command, f.seq++ & 0xFFFF_FFFFL, f.wire, 0);
    }

    /** Feeds a State frame byte by byte; returns the last byte's result (the type, 0x20). */
    @Benchmark
    public int decodeState(Frames f) {
        byte[] w = f.stateWire;
        int r = 0;
        for (byte b : w) {
            r = f.decoder.feed(b);
        }
        return r;
    }

    @Benchmark
    public int decodeCommand(Frames f) {
        byte[] w = f.commandWire;
        int r = 0;
        for (byte b : w) {
            r = f.decoder.feed(b);
        }
        return r;
    }
}
