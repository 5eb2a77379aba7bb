/*
 * fuzz_firmware.c: libFuzzer target for the whole firmware core (core/fw.c over core/proto.c) on a fake board.
 *
 * Input: an 8-byte board header, then the host-to-device stream.
 *   h[0]  serial bytes delivered per tick: 8 + (255 - h[0]) (0: whole frames at once; 244: about 115200 baud);
 *         at most 48 ticks of stream (the rest of a long stream on a slow link is dropped)
 *   h[1]  clock: the chance per tick (h[1]/256) that the tick comes late, by 0 .. 149 ms
 *   h[2]  sensors: the chance per tick (h[2]/512) of a glitch: a NaN/inf reading, a joint beyond its range, a hot
 *         motor or a large velocity, held for a few ticks
 *   h[3]  the chance per tick (h[3]/1024) that the e-stop input toggles
 *   h[4]  transmit room: 0..127 plenty; otherwise a random 0 .. 2 * h[4] bytes per tick
 *   h[5]  idle ticks after the stream: h[5] & 15; with bit 7 set, each idle tick advances the clock by 8 ms
 *         (13 ticks reach the watchdog) instead of 1 ms
 *   h[6]  seed of the board's random numbers
 *   h[7]  bit 0: the stream is a list of packets [length byte][packet without CRC], which the harness completes with
 *         a correct CRC and COBS-frames (so mutations reach the message handlers); else raw bytes (framing)
 *
 * After every tick it asserts:
 *   - every torque is finite and within +-tau_max;
 *   - disarmed, every torque is the damping law's: -kd_damp * dq exactly (clipped to +-tau_max; 0 when dq is not
 *     finite);
 *   - armed only with no latched fault; disarmed means mode damp; armed, the last valid command (or the arming) is
 *     no more than the watchdog's 100 ms old;
 *   - the device never writes more than the room it was given, and everything it writes decodes as good packets,
 *     each with the next seq; every command it applied is within section 3's ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fw.h"
#include "reference.h"

#define REQUIRE(cond)                                                                                        \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s (tick %lu)\n", __FILE__, __LINE__, #cond,           \
                    (unsigned long)B.ticks);                                                                 \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

#define MAX_STREAM (1 << 15)
static const float STAND[3] = {0.05f, 0.9f, -1.8f};

typedef struct {
    uint64_t clock;
    uint32_t rng;
    float q[PROTO_JOINTS], dq[PROTO_JOINTS], tau_est[PROTO_JOINTS], temp[PROTO_JOINTS];
    float quat[4], gyro[3], accel[3], feet[PROTO_FEET];
    float tau[PROTO_JOINTS];
    int estop, glitch_ticks;
    int space;
    const uint8_t *stream;
    size_t stream_n, stream_at, per_tick, delivered_this_tick;
    uint32_t next_seq;
    int have_seq;
    unsigned long ticks;
} board;

static board B;
static fw_t FW;

static uint32_t rnd(void) {
    B.rng ^= B.rng << 13;
    B.rng ^= B.rng >> 17;
    B.rng ^= B.rng << 5;
    return B.rng;
}

static int finite_f(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return ((u >> 23) & 0xFFu) != 0xFFu;
}

static float glitch_value(void) {
    static const float v[] = {1e30f, -1e30f, 70.0f, 5.0f, -5.0f, 40.0f, -40.0f, 0.0f};
    uint32_t r = rnd() % 10;
    float nan, inf;
    uint32_t bits = 0x7FC00000u;
    memcpy(&nan, &bits, sizeof nan);
    bits = 0x7F800000u;
    memcpy(&inf, &bits, sizeof inf);
    if (r == 8) return nan;
    if (r == 9) return (rnd() & 1) ? inf : -inf;
    return v[r];
}

static void board_sensors(uint8_t glitch_rate) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++) {
        B.q[j] = STAND[j % 3] + (float)((int)(rnd() % 201) - 100) * 0.001f;
        B.dq[j] = (float)((int)(rnd() % 201) - 100) * 0.01f;
        B.tau_est[j] = 0.0f;
        B.temp[j] = 35.0f;
    }
    B.quat[0] = 1.0f; B.quat[1] = B.quat[2] = B.quat[3] = 0.0f;
    B.gyro[0] = B.gyro[1] = B.gyro[2] = 0.0f;
    B.accel[0] = B.accel[1] = 0.0f; B.accel[2] = 9.81f;
    for (j = 0; j < PROTO_FEET; j++)
        B.feet[j] = 30.0f;
    if (B.glitch_ticks == 0 && glitch_rate != 0 && rnd() % 512 < glitch_rate)
        B.glitch_ticks = 1 + (int)(rnd() % 20);
    if (B.glitch_ticks > 0) {
        float *all[] = {B.q, B.dq, B.tau_est, B.temp};
        uint32_t which = rnd() % 6;
        B.glitch_ticks--;
        if (which < 4)
            all[which][rnd() % PROTO_JOINTS] = glitch_value();
        else if (which == 4)
            B.quat[rnd() % 4] = glitch_value();
        else
            B.feet[rnd() % PROTO_FEET] = glitch_value();
    }
}

/* ---- HAL ----------------------------------------------------------------------------------------------------- */

static uint64_t h_micros(void *c) { (void)c; return B.clock; }
static void h_joints(void *c, float q[PROTO_JOINTS], float dq[PROTO_JOINTS], float t[PROTO_JOINTS],
                     float temp[PROTO_JOINTS]) {
    (void)c;
    memcpy(q, B.q, sizeof B.q);
    memcpy(dq, B.dq, sizeof B.dq);
    memcpy(t, B.tau_est, sizeof B.tau_est);
    memcpy(temp, B.temp, sizeof B.temp);
}
static void h_imu(void *c, float quat[4], float gyro[3], float accel[3]) {
    (void)c;
    memcpy(quat, B.quat, sizeof B.quat);
    memcpy(gyro, B.gyro, sizeof B.gyro);
    memcpy(accel, B.accel, sizeof B.accel);
}
static void h_feet(void *c, float f[PROTO_FEET]) { (void)c; memcpy(f, B.feet, sizeof B.feet); }
static void h_torques(void *c, const float tau[PROTO_JOINTS]) { (void)c; memcpy(B.tau, tau, sizeof B.tau); }
static int h_read(void *c, uint8_t *buf, int max) {
    size_t n = B.stream_n - B.stream_at;
    (void)c;
    REQUIRE(max > 0);
    if (n > B.per_tick - B.delivered_this_tick)
        n = B.per_tick - B.delivered_this_tick;
    if (n > (size_t)max)
        n = (size_t)max;
    memcpy(buf, B.stream + B.stream_at, n);
    B.stream_at += n;
    B.delivered_this_tick += n;
    return (int)n;
}
/* The device writes one whole frame per call: it must be a good packet (by the reference decoder) of a
   device-to-host type, version 1, with the next seq. */
static int h_write(void *c, const uint8_t *buf, int n) {
    static uint8_t packet[PROTO_MAX_WIRE];
    uint32_t seq;
    long k;
    (void)c;
    REQUIRE(n > 1 && n <= B.space && n <= PROTO_MAX_WIRE);
    REQUIRE(buf[n - 1] == 0 && memchr(buf, 0, (size_t)n - 1) == NULL);
    B.space -= n;
    k = ref_uncobs(buf, (size_t)n - 1, packet);
    REQUIRE(k > 0);
    REQUIRE(ref_check(packet, (size_t)k) == PROTO_OK);
    REQUIRE(packet[0] == PROTO_VERSION);
    REQUIRE(packet[1] == PROTO_HELLO_ACK || packet[1] == PROTO_STATE || packet[1] == PROTO_HEARTBEAT
            || packet[1] == PROTO_FAULT);
    seq = (uint32_t)packet[4] | ((uint32_t)packet[5] << 8) | ((uint32_t)packet[6] << 16) | ((uint32_t)packet[7] << 24);
    if (B.have_seq)
        REQUIRE(seq == B.next_seq);
    B.next_seq = seq + 1;
    B.have_seq = 1;
    return n;
}
static int h_space(void *c) { (void)c; return B.space; }
static int h_estop(void *c) { (void)c; return B.estop; }
static void h_applied(void *c, uint32_t seq, const proto_command *m) {
    int j;
    (void)c;
    (void)seq;
    REQUIRE(m->mode <= PROTO_MODE_RUN && m->flags == 0 && m->interp_us <= 1000000u);
    for (j = 0; j < PROTO_JOINTS; j++) {
        REQUIRE(finite_f(m->q_target[j]));
        REQUIRE(m->kp[j] >= 0.0f && m->kp[j] <= FW.config.kp_max);
        REQUIRE(m->kd[j] >= 0.0f && m->kd[j] <= FW.config.kd_max);
        REQUIRE(m->tau_ff[j] >= -FW.config.tau_max_Nm && m->tau_ff[j] <= FW.config.tau_max_Nm);
    }
}

/* ---- invariants ---------------------------------------------------------------------------------------------- */

static void check_tick(void) {
    const fw_config *c = &FW.config;
    int j;
    for (j = 0; j < PROTO_JOINTS; j++) {
        REQUIRE(finite_f(B.tau[j]));
        REQUIRE(B.tau[j] <= c->tau_max_Nm && B.tau[j] >= -c->tau_max_Nm);
    }
    if (!FW.armed) {
        REQUIRE(FW.mode == PROTO_MODE_DAMP);
        for (j = 0; j < PROTO_JOINTS; j++) {
            float want;
            if (!finite_f(B.dq[j])) {
                want = 0.0f;
            } else {
                want = -(c->kd_damp * B.dq[j]);
                if (!finite_f(want))
                    want = 0.0f;
                else if (want > c->tau_max_Nm)
                    want = c->tau_max_Nm;
                else if (want < -c->tau_max_Nm)
                    want = -c->tau_max_Nm;
            }
            REQUIRE(memcmp(&B.tau[j], &want, sizeof want) == 0);
        }
    } else {
        REQUIRE(FW.faults == 0);
        REQUIRE(FW.session_active);
        REQUIRE(FW.now_us - FW.last_command_time_us <= c->watchdog_us);
    }
    REQUIRE(FW.mode <= PROTO_MODE_RUN);
}

/* ---- the stream ---------------------------------------------------------------------------------------------- */

static uint8_t stream[MAX_STREAM];

/* Packet mode: [n][n bytes of header + payload] records become CRC-completed COBS frames. */
static size_t build_packets(const uint8_t *in, size_t n) {
    uint8_t packet[256 + 4];
    size_t i = 0, out = 0;
    while (i < n) {
        size_t len = in[i++], w;
        uint32_t crc;
        if (len > n - i)
            len = n - i;
        memcpy(packet, in + i, len);
        i += len;
        crc = proto_crc32c(packet, len);
        packet[len] = (uint8_t)crc;
        packet[len + 1] = (uint8_t)(crc >> 8);
        packet[len + 2] = (uint8_t)(crc >> 16);
        packet[len + 3] = (uint8_t)(crc >> 24);
        if (out + len + 4 + 4 > MAX_STREAM)
            break;
        w = proto_cobs_encode(packet, len + 4, stream + out);
        out += w;
        stream[out++] = 0;
    }
    return out;
}

static void one_tick(const uint8_t h[8]) {
    board_sensors(h[2]);
    if (h[3] != 0 && rnd() % 1024 < h[3])
        B.estop = !B.estop;
    B.space = h[4] < 128 ? 4096 : (int)(rnd() % (2u * h[4] + 1u));
    B.delivered_this_tick = 0;
    fw_tick(&FW);
    B.ticks++;
    check_tick();
    B.clock += 1000;
    if (h[1] != 0 && rnd() % 256 < h[1])
        B.clock += 1000u * (rnd() % 150);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t h[8] = {0};
    fw_config cfg;
    fw_hal hal;
    unsigned long idle, t;
    size_t body = size > 8 ? size - 8 : 0;

    if (size > 2048)
        return 0;
    memcpy(h, data, size < 8 ? size : 8);
    memset(&B, 0, sizeof B);
    B.clock = 1000000;
    B.rng = 0x9E3779B9u ^ ((uint32_t)h[6] * 0x01000193u);
    B.per_tick = 8u + (255u - h[0]);
    if (h[7] & 1u) {
        B.stream_n = build_packets(data + 8, body);
        B.stream = stream;
    } else {
        B.stream_n = body;
        B.stream = data + 8;
    }
    idle = h[5] & 15u;

    fw_config_a1(&cfg, "A1-fuzz");
    memset(&hal, 0, sizeof hal);
    hal.micros = h_micros;
    hal.read_joints = h_joints;
    hal.read_imu = h_imu;
    hal.read_feet = h_feet;
    hal.write_torques = h_torques;
    hal.serial_read = h_read;
    hal.serial_write = h_write;
    hal.serial_write_space = h_space;
    hal.estop_pressed = h_estop;
    hal.on_command_applied = h_applied;
    REQUIRE(fw_init(&FW, &cfg, &hal) == 0);

    /* Every tick delivers at least 8 bytes; at most 48 ticks of stream (bounded time per input); then idle ticks. */
    if (B.stream_n > 48u * B.per_tick)
        B.stream_n = 48u * B.per_tick;
    while (B.stream_at < B.stream_n)
        one_tick(h);
    for (t = 0; t < idle; t++) {
        one_tick(h);
        if (h[5] & 0x80u)
            B.clock += 7000;
    }
    return 0;
}
