/*
 * test_fw.c: the firmware core (core/fw.c) over a fake HAL: a simulated clock (1 ms per tick), sensors the test
 * sets, the torques captured, host-to-device bytes queued by the test and every device-to-host byte decoded by a
 * host-side proto_receiver. Values are checked exactly (floats bitwise) wherever the law gives an exact number.
 */
#include <math.h>
#include <stdlib.h>

#include "../core/fw.h"
#include "check.h"

/* ---- the fake board -------------------------------------------------------------------------------------------- */

#define MAX_GOT 8192
#define T0 1000000u /* the clock at the first tick: 1 s */

typedef struct {
    uint64_t clock;
    float q[PROTO_JOINTS], dq[PROTO_JOINTS], tau_est[PROTO_JOINTS], temp[PROTO_JOINTS];
    float quat[4], gyro[3], accel[3], feet[PROTO_FEET];
    float tau[PROTO_JOINTS];
    long torque_writes;
    int estop;
    int space_per_tick, space; /* transmit room: refilled to space_per_tick at every tick */
    int short_write;           /* serial_write takes one byte less than asked, once */
    long overrun;              /* bytes written beyond the room reported: a core bug */
    uint8_t rx[1 << 16];
    size_t rx_head, rx_len;
    uint8_t tx[1 << 20];
    size_t tx_len, tx_decoded;
    proto_receiver host_rx;
    long host_errors;
    proto_message got[MAX_GOT];
    uint64_t got_time[MAX_GOT];
    int n_got;
    uint32_t applied_seq[MAX_GOT];
    int n_applied;
} fake_board;

static fake_board B;
static fw_t FW;
static fw_config CFG;
static const float STAND[3] = {0.05f, 0.9f, -1.8f};

static uint64_t fake_micros(void *ctx) { return ((fake_board *)ctx)->clock; }
static void fake_read_joints(void *ctx, float q[PROTO_JOINTS], float dq[PROTO_JOINTS], float tau[PROTO_JOINTS],
                             float temp[PROTO_JOINTS]) {
    fake_board *b = ctx;
    memcpy(q, b->q, sizeof b->q);
    memcpy(dq, b->dq, sizeof b->dq);
    memcpy(tau, b->tau_est, sizeof b->tau_est);
    memcpy(temp, b->temp, sizeof b->temp);
}
static void fake_read_imu(void *ctx, float quat[4], float gyro[3], float accel[3]) {
    fake_board *b = ctx;
    memcpy(quat, b->quat, sizeof b->quat);
    memcpy(gyro, b->gyro, sizeof b->gyro);
    memcpy(accel, b->accel, sizeof b->accel);
}
static void fake_read_feet(void *ctx, float f[PROTO_FEET]) { memcpy(f, ((fake_board *)ctx)->feet, sizeof B.feet); }
static void fake_write_torques(void *ctx, const float tau[PROTO_JOINTS]) {
    fake_board *b = ctx;
    memcpy(b->tau, tau, sizeof b->tau);
    b->torque_writes++;
}
static int fake_serial_read(void *ctx, uint8_t *buf, int max) {
    fake_board *b = ctx;
    size_t n = b->rx_len - b->rx_head;
    if (n > (size_t)max)
        n = (size_t)max;
    memcpy(buf, b->rx + b->rx_head, n);
    b->rx_head += n;
    return (int)n;
}
static int fake_serial_write(void *ctx, const uint8_t *buf, int n) {
    fake_board *b = ctx;
    if (n > b->space)
        b->overrun += n - b->space;
    if (b->short_write) {
        b->short_write = 0;
        n--;
    }
    memcpy(b->tx + b->tx_len, buf, (size_t)n);
    b->tx_len += (size_t)n;
    b->space -= n;
    return n;
}
static int fake_serial_write_space(void *ctx) { return ((fake_board *)ctx)->space; }
static int fake_estop(void *ctx) { return ((fake_board *)ctx)->estop; }
static void fake_on_command(void *ctx, uint32_t seq, const proto_command *c) {
    fake_board *b = ctx;
    (void)c;
    if (b->n_applied < MAX_GOT)
        b->applied_seq[b->n_applied++] = seq;
}

static fw_hal fake_hal(void) {
    fw_hal h;
    memset(&h, 0, sizeof h);
    h.ctx = &B;
    h.micros = fake_micros;
    h.read_joints = fake_read_joints;
    h.read_imu = fake_read_imu;
    h.read_feet = fake_read_feet;
    h.write_torques = fake_write_torques;
    h.serial_read = fake_serial_read;
    h.serial_write = fake_serial_write;
    h.serial_write_space = fake_serial_write_space;
    h.estop_pressed = fake_estop;
    h.on_command_applied = fake_on_command;
    return h;
}

/* A fresh board standing still at the A1's stand pose, and a fresh core. */
/* The seq of the host's next Hello, Arm, Estop or Heartbeat. setup() puts it 256 before the wrap, so that the tests'
   small command seqs (0, 1, 10, ...) are newer than the session's Hello, as a host's commands always are. */
static uint32_t host_seq = 0xFFFFFF00u;

static void setup(void) {
    fw_hal h;
    int j;
    memset(&B, 0, sizeof B);
    host_seq = 0xFFFFFF00u;
    B.clock = T0;
    for (j = 0; j < PROTO_JOINTS; j++) {
        B.q[j] = STAND[j % 3];
        B.temp[j] = 30.0f;
        B.tau_est[j] = 0.25f * (float)j;
    }
    B.quat[0] = 1.0f;
    B.accel[2] = 9.81f;
    for (j = 0; j < PROTO_FEET; j++)
        B.feet[j] = 30.0f + (float)j;
    B.space_per_tick = 100000;
    proto_receiver_init(&B.host_rx);
    fw_config_a1(&CFG, "A1-test");
    h = fake_hal();
    CHECK_EQ_I(fw_init(&FW, &CFG, &h), 0);
}

/* One 1 ms tick at the current clock; then decodes what the device sent and advances the clock. */
static void tick(void) {
    proto_message m;
    B.space = B.space_per_tick;
    fw_tick(&FW);
    while (B.tx_decoded < B.tx_len) {
        int e = proto_receiver_feed(&B.host_rx, B.tx[B.tx_decoded++], &m);
        if (e == PROTO_OK && B.n_got < MAX_GOT) {
            B.got[B.n_got] = m;
            B.got_time[B.n_got++] = B.clock;
        } else if (e > 0) {
            B.host_errors++;
        }
    }
    B.clock += 1000;
}

static void ticks(int n) {
    while (n-- > 0)
        tick();
}


static void host_send_seq(proto_message *m, uint32_t seq, uint8_t version) {
    uint8_t wire[PROTO_MAX_WIRE];
    size_t n;
    m->seq = seq;
    n = proto_encode_version(m, version, wire);
    memcpy(B.rx + B.rx_len, wire, n);
    B.rx_len += n;
}

static void send_hello_v(uint32_t session, uint32_t period, uint16_t protocol_version, uint8_t header_version) {
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_HELLO;
    m.u.hello.protocol_version = protocol_version;
    m.u.hello.session = session;
    m.u.hello.state_period_us = period;
    host_send_seq(&m, host_seq++, header_version);
}
static void send_hello(uint32_t session, uint32_t period) { send_hello_v(session, period, 1, 1); }

static void send_arm(uint32_t clear) {
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_ARM;
    m.u.arm.clear_faults = clear;
    host_send_seq(&m, host_seq++, 1);
}

static void send_estop(uint32_t reason) {
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_ESTOP;
    m.u.estop.reason = reason;
    host_send_seq(&m, host_seq++, 1);
}

static void send_heartbeat(uint64_t time_us) {
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_HEARTBEAT;
    m.u.heartbeat.time_us = time_us;
    host_send_seq(&m, host_seq++, 1);
}

static void send_command(uint32_t seq, const proto_command *c) {
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_COMMAND;
    m.u.command = *c;
    host_send_seq(&m, seq, 1);
}

static void send_bytes(const uint8_t *b, size_t n) {
    memcpy(B.rx + B.rx_len, b, n);
    B.rx_len += n;
}

/* A command holding the stand pose: targets = stand, kp 60, kd 4. */
static proto_command make_command(uint8_t mode, float kp, float kd, uint32_t interp_us) {
    proto_command c;
    int j;
    memset(&c, 0, sizeof c);
    c.host_time_us = 555000;
    c.mode = mode;
    c.interp_us = interp_us;
    for (j = 0; j < PROTO_JOINTS; j++) {
        c.q_target[j] = STAND[j % 3];
        c.kp[j] = kp;
        c.kd[j] = kd;
    }
    return c;
}

static int count_type(int type) {
    int i, n = 0;
    for (i = 0; i < B.n_got; i++)
        n += B.got[i].type == type;
    return n;
}

/* The last message of a type the device sent, or NULL. */
static const proto_message *last_of(int type) {
    int i;
    for (i = B.n_got - 1; i >= 0; i--)
        if (B.got[i].type == type)
            return &B.got[i];
    return NULL;
}

static uint64_t last_time_of(int type) {
    int i;
    for (i = B.n_got - 1; i >= 0; i--)
        if (B.got[i].type == type)
            return B.got_time[i];
    return 0;
}

/* Hello (period 10 ms) and one tick; optionally Arm clearing RESET and one more tick. */
static void connect(int arm) {
    send_hello(0x5E55104Eu, 10000);
    tick();
    CHECK_EQ_I(FW.session_active, 1);
    if (arm) {
        send_arm(PROTO_FAULT_RESET);
        tick();
        CHECK_EQ_I(FW.armed, 1);
        CHECK_EQ_U(FW.faults, 0);
    }
}

/* The damping law exactly, for every joint. */
static void check_damping(void) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++) {
        float want = -(2.0f * B.dq[j]);
        if (want > 33.5f) want = 33.5f;
        if (want < -33.5f) want = -33.5f;
        CHECK_EQ_F(B.tau[j], want);
    }
}

static void set_dq_pattern(void) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++)
        B.dq[j] = 0.37f * (float)(j - 5);
}

static void teardown_checks(void) {
    CHECK_EQ_I(B.host_errors, 0);
    CHECK_EQ_I(B.overrun, 0);
}

/* ---- configuration and init ----------------------------------------------------------------------------------- */

static void test_config_a1(void) {
    fw_config c;
    const char *why = NULL;
    int j;
    fw_config_a1(&c, "A1-emulated");
    for (j = 0; j < PROTO_JOINTS; j += 3) {
        CHECK_EQ_F(c.q_min_rad[j], -0.802851f);
        CHECK_EQ_F(c.q_max_rad[j], 0.802851f);
        CHECK_EQ_F(c.q_min_rad[j + 1], -1.0472f);
        CHECK_EQ_F(c.q_max_rad[j + 1], 4.18879f);
        CHECK_EQ_F(c.q_min_rad[j + 2], -2.69653f);
        CHECK_EQ_F(c.q_max_rad[j + 2], -0.916298f);
    }
    CHECK_EQ_F(c.tau_max_Nm, 33.5f);
    CHECK_EQ_F(c.kd_damp, 2.0f);
    CHECK_EQ_F(c.max_target_offset_rad, 0.2f);
    CHECK_EQ_F(c.joint_limit_margin_rad, 0.1f);
    CHECK_EQ_F(c.kp_max, 500.0f);
    CHECK_EQ_F(c.kd_max, 50.0f);
    CHECK_EQ_F(c.temp_warn_c, 50.0f);
    CHECK_EQ_F(c.temp_cut_c, 60.0f);
    CHECK_EQ_F(c.temp_clear_c, 55.0f);
    CHECK_EQ_U(c.watchdog_us, 100000);
    CHECK_EQ_U(c.heartbeat_period_us, 100000);
    CHECK(memcmp(c.robot, "A1-emulated\0\0\0\0\0", 16) == 0);
    CHECK_EQ_I(fw_config_check(&c, &why), 0);
    fw_config_a1(&c, "a-name-longer-than-16");
    CHECK(memcmp(c.robot, "a-name-longer-th", 16) == 0);
    fw_config_a1(&c, NULL);
    CHECK(memcmp(c.robot, "A1\0", 3) == 0);
}

static void test_config_check(void) {
    fw_config c;
    const char *why = NULL;
    fw_config_a1(&c, "x");
    c.kd_damp = 0.0f;
    CHECK(fw_config_check(&c, &why) < 0 && why != NULL);
    fw_config_a1(&c, "x");
    c.q_min_rad[4] = 5.0f;
    CHECK(fw_config_check(&c, &why) < 0);
    fw_config_a1(&c, "x");
    c.tau_max_Nm = NAN;
    CHECK(fw_config_check(&c, &why) < 0);
    fw_config_a1(&c, "x");
    c.watchdog_us = 0;
    CHECK(fw_config_check(&c, &why) < 0);
    fw_config_a1(&c, "x");
    c.temp_clear_c = 61.0f;
    CHECK(fw_config_check(&c, &why) < 0);
    fw_config_a1(&c, "x");
    c.heartbeat_period_us = 999;
    CHECK(fw_config_check(&c, NULL) < 0);
}

static void test_init(void) {
    fw_hal h = fake_hal();
    fw_config c;
    fw_config_a1(&c, "x");
    CHECK(fw_init(NULL, &c, &h) < 0);
    CHECK(fw_init(&FW, NULL, &h) < 0);
    c.kd_damp = -1.0f;
    CHECK(fw_init(&FW, &c, &h) < 0);
    fw_config_a1(&c, "x");
    h.micros = NULL;
    CHECK(fw_init(&FW, &c, &h) < 0);
    h = fake_hal();
    h.serial_write_space = NULL;
    CHECK(fw_init(&FW, &c, &h) < 0);
    h = fake_hal();
    h.estop_pressed = NULL;
    h.on_command_applied = NULL;
    CHECK_EQ_I(fw_init(&FW, &c, &h), 0); /* the two optional functions */
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET);
    CHECK_EQ_I(FW.session_active, 0);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    /* Without the optional functions the core runs (and damps). */
    memset(&B, 0, sizeof B);
    B.clock = T0;
    B.space_per_tick = 1000;
    set_dq_pattern();
    proto_receiver_init(&B.host_rx);
    ticks(3);
    check_damping();
    CHECK_EQ_I(B.torque_writes, 3);
    setup();
    /* The core calls no HAL function before its first tick. */
    CHECK_EQ_I(B.torque_writes, 0);
    CHECK_EQ_U(B.tx_len, 0);
}

/* ---- handshake ------------------------------------------------------------------------------------------------ */

static void test_handshake(void) {
    const proto_message *m;
    uint64_t t_hello;
    int i;
    setup();
    tick();
    CHECK_EQ_I(count_type(PROTO_STATE), 0);
    send_hello(0xDEADBEEFu, 10000);
    t_hello = B.clock;
    tick();
    m = last_of(PROTO_HELLO_ACK);
    if (!CHECK(m != NULL))
        return;
    CHECK_EQ_U(last_time_of(PROTO_HELLO_ACK), t_hello); /* answered in the tick the Hello arrived */
    CHECK_EQ_U(m->u.hello_ack.protocol_version, 1);
    CHECK_EQ_U(m->u.hello_ack.status, PROTO_HELLO_ACCEPTED);
    CHECK_EQ_U(m->u.hello_ack.joints, 12);
    CHECK_EQ_U(m->u.hello_ack.session, 0xDEADBEEFu);
    CHECK_EQ_U(m->u.hello_ack.state_period_us, 10000);
    CHECK_EQ_U(m->u.hello_ack.firmware_version, FW_VERSION);
    CHECK_EQ_U(m->u.hello_ack.feet, 4);
    CHECK(memcmp(m->u.hello_ack.robot, "A1-test\0\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK_EQ_I(FW.session_active, 1);
    CHECK_EQ_U(FW.session, 0xDEADBEEFu);
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET);
    /* States every 10 ms from the Hello: none in the first 9 ms, then at +10, +20, ... ms. */
    ticks(9);
    CHECK_EQ_I(count_type(PROTO_STATE), 0);
    tick();
    CHECK_EQ_I(count_type(PROTO_STATE), 1);
    CHECK_EQ_U(last_time_of(PROTO_STATE), t_hello + 10000);
    m = last_of(PROTO_STATE);
    CHECK_EQ_U(m->u.state.fw_time_us, t_hello + 10000);
    CHECK_EQ_U(m->u.state.status, PROTO_STATUS_SESSION);
    CHECK_EQ_U(m->u.state.faults, PROTO_FAULT_RESET);
    for (i = 0; i < 100; i++)
        tick();
    CHECK_EQ_I(count_type(PROTO_STATE), 11);
    CHECK_EQ_U(last_time_of(PROTO_STATE), t_hello + 110000);
    CHECK_EQ_U(FW.counters.states_sent, 11);
    /* Every packet the device sent has the next seq. */
    for (i = 1; i < B.n_got; i++)
        CHECK_EQ_U(B.got[i].seq, B.got[i - 1].seq + 1);
    teardown_checks();
}

static void test_version_mismatch(void) {
    const proto_message *m;
    proto_command c = make_command(PROTO_MODE_DAMP, 0, 0, 0);
    setup();
    send_hello_v(77, 10000, 2, 1);
    tick();
    m = last_of(PROTO_HELLO_ACK);
    if (!CHECK(m != NULL))
        return;
    CHECK_EQ_U(m->u.hello_ack.status, PROTO_HELLO_VERSION_MISMATCH);
    CHECK_EQ_U(m->u.hello_ack.protocol_version, 1);
    CHECK_EQ_U(m->u.hello_ack.session, 77);
    CHECK_EQ_U(m->u.hello_ack.state_period_us, 0);
    CHECK_EQ_I(FW.session_active, 0);
    /* Everything else from this host is ignored: no State, Arm and Command rejected. */
    send_arm(PROTO_FAULT_RESET);
    send_command(1, &c);
    ticks(50);
    CHECK_EQ_I(count_type(PROTO_STATE), 0);
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET);
    CHECK_EQ_U(FW.counters.commands_applied, 0);
    CHECK_EQ_U(FW.counters.commands_rejected, 1);
    CHECK_EQ_U(FW.counters.rejected_no_session, 2);
    /* A Hello of version 2 in a version-2 header is understood (frozen layout) and refused the same way. */
    send_hello_v(78, 10000, 2, 2);
    tick();
    m = last_of(PROTO_HELLO_ACK);
    CHECK_EQ_I(count_type(PROTO_HELLO_ACK), 2);
    CHECK_EQ_U(m->u.hello_ack.status, PROTO_HELLO_VERSION_MISMATCH);
    CHECK_EQ_U(m->u.hello_ack.session, 78);
    CHECK_EQ_U(FW.counters.rx_bad, 0);
    /* A session refused mid-way ends: a good session, then a version-2 Hello. */
    connect(1);
    send_hello_v(79, 10000, 2, 1);
    tick();
    CHECK_EQ_I(FW.session_active, 0);
    CHECK_EQ_I(FW.armed, 0);
    teardown_checks();
}

static void test_bad_period(void) {
    const uint32_t periods[] = {0, 999, 100001, 1000, 100000};
    const uint8_t status[] = {2, 2, 2, 0, 0};
    int i;
    setup();
    for (i = 0; i < 5; i++) {
        const proto_message *m;
        send_hello(100u + (uint32_t)i, periods[i]);
        tick();
        m = last_of(PROTO_HELLO_ACK);
        CHECK_EQ_I(count_type(PROTO_HELLO_ACK), i + 1);
        CHECK_EQ_U(m->u.hello_ack.status, status[i]);
        CHECK_EQ_U(m->u.hello_ack.state_period_us, status[i] == 0 ? periods[i] : 0);
        CHECK_EQ_I(FW.session_active, status[i] == 0);
    }
    teardown_checks();
}

static void test_state_period_rounding(void) {
    /* The period is rounded to whole milliseconds: 10,400 -> 10 ms, 10,600 -> 11 ms, 1,000 -> every tick. */
    const uint32_t asked[] = {10400, 10600, 1000, 1499};
    const int every_ms[] = {10, 11, 1, 1};
    int i, k;
    for (i = 0; i < 4; i++) {
        int before;
        uint64_t t;
        setup();
        send_hello(5, asked[i]);
        t = B.clock;
        tick();
        CHECK_EQ_U(last_of(PROTO_HELLO_ACK)->u.hello_ack.state_period_us, asked[i]); /* granted as asked */
        before = count_type(PROTO_STATE);
        for (k = 0; k < 10 * every_ms[i]; k++)
            tick();
        CHECK_EQ_I(count_type(PROTO_STATE) - before, 10);
        CHECK_EQ_U(last_time_of(PROTO_STATE), t + 10000u * (uint64_t)every_ms[i] * 1u);
        teardown_checks();
    }
}

/* ---- before a session, disarmed ------------------------------------------------------------------------------- */

static void test_before_session(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    const proto_message *f;
    setup();
    set_dq_pattern();
    send_command(1, &c);
    send_arm(PROTO_FAULT_RESET);
    tick();
    CHECK_EQ_U(FW.counters.commands_rejected, 1);
    CHECK_EQ_U(FW.counters.rejected_no_session, 2);
    CHECK_EQ_U(FW.counters.commands_applied, 0);
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET);
    CHECK_EQ_I(B.n_applied, 0);
    check_damping();
    /* Estop is acted on even without a session (and counted as rejected). */
    send_estop(0);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET | PROTO_FAULT_ESTOP);
    CHECK_EQ_U(FW.counters.rejected_no_session, 3);
    CHECK_EQ_U(FW.counters.estops, 1);
    f = last_of(PROTO_FAULT);
    if (CHECK(f != NULL)) {
        CHECK_EQ_U(f->u.fault.fault, PROTO_FAULT_ESTOP);
        CHECK_EQ_U(f->u.fault.faults, PROTO_FAULT_RESET | PROTO_FAULT_ESTOP);
        CHECK_EQ_U(f->u.fault.joint, 0xFF);
    }
    teardown_checks();
}

static void test_disarmed_commands_rejected(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    setup();
    set_dq_pattern();
    connect(0);
    send_command(1, &c);
    tick();
    CHECK_EQ_U(FW.counters.rejected_disarmed, 1);
    CHECK_EQ_U(FW.counters.commands_rejected, 1);
    CHECK_EQ_U(FW.counters.commands_applied, 0);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    check_damping();
    /* Not applied, so its seq is not "last applied": after arming, seq 1 is still new. */
    send_arm(PROTO_FAULT_RESET);
    send_command(1, &c);
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 1);
    CHECK_EQ_U(FW.mode, PROTO_MODE_HOLD);
    teardown_checks();
}

/* ---- arming and fault clearing -------------------------------------------------------------------------------- */

static void test_arm_needs_reset_cleared(void) {
    setup();
    connect(0);
    send_arm(0);
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET);
    send_arm(PROTO_FAULT_WATCHDOG | PROTO_FAULT_ESTOP); /* not the latched one */
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_RESET);
    send_arm(PROTO_FAULT_RESET);
    tick();
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_U(FW.faults, 0);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status, PROTO_STATUS_ARMED | PROTO_STATUS_SESSION);
    /* An Arm while armed changes nothing. */
    send_arm(0xFFFFFFFFu);
    tick();
    CHECK_EQ_I(FW.armed, 1);
    teardown_checks();
}

static void test_estop_input(void) {
    const proto_message *f;
    setup();
    connect(1);
    set_dq_pattern();
    B.estop = 1;
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_ESTOP);
    check_damping();
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    f = last_of(PROTO_FAULT);
    CHECK_EQ_U(f->u.fault.fault, PROTO_FAULT_ESTOP);
    CHECK_EQ_U(f->u.fault.faults, PROTO_FAULT_ESTOP);
    CHECK_EQ_U(f->u.fault.fw_time_us, B.clock - 1000);
    /* Held: no more Fault packets, and not clearable. */
    ticks(20);
    send_arm(PROTO_FAULT_ESTOP);
    tick();
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_ESTOP);
    CHECK_EQ_I(FW.armed, 0);
    /* Released: clearable (not before an Arm names it). */
    B.estop = 0;
    ticks(5);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_ESTOP);
    send_arm(PROTO_FAULT_ESTOP);
    tick();
    CHECK_EQ_U(FW.faults, 0);
    CHECK_EQ_I(FW.armed, 1);
    /* Pressed again: raised again. */
    B.estop = 1;
    tick();
    CHECK_EQ_I(count_type(PROTO_FAULT), 2);
    CHECK_EQ_I(FW.armed, 0);
    teardown_checks();
}

static void test_estop_packet(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 60, 4, 0);
    setup();
    connect(1);
    send_command(1, &c);
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_RUN);
    set_dq_pattern();
    send_estop(2);
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_ESTOP);
    check_damping(); /* in the same tick */
    CHECK_EQ_U(FW.counters.estops, 1);
    CHECK_EQ_U(FW.counters.rejected_no_session, 0);
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    /* A second Estop: still latched, no second Fault packet. */
    send_estop(2);
    tick();
    CHECK_EQ_U(FW.counters.estops, 2);
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    send_arm(PROTO_FAULT_ESTOP);
    tick();
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP); /* the old run command is not resumed */
    check_damping();
    teardown_checks();
}

static void test_joint_limit(void) {
    const proto_message *f;
    setup();
    connect(1);
    /* Within the margin (0.1 rad) outside the range: no fault. */
    B.q[4] = 4.18879f + 0.09f;
    ticks(3);
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_I(count_type(PROTO_FAULT), 0);
    B.q[4] = 4.4f;
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_JOINT_LIMIT);
    f = last_of(PROTO_FAULT);
    if (CHECK(f != NULL)) {
        CHECK_EQ_U(f->u.fault.fault, PROTO_FAULT_JOINT_LIMIT);
        CHECK_EQ_U(f->u.fault.joint, 4);
        CHECK_EQ_F(f->u.fault.value, 4.4f);
    }
    /* Persisting: one packet only. */
    ticks(30);
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    /* Back within the margin but still out of range: not clearable. */
    B.q[4] = 4.25f;
    tick();
    send_arm(PROTO_FAULT_JOINT_LIMIT);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_JOINT_LIMIT);
    CHECK_EQ_I(FW.armed, 0);
    /* Below the lower limit too. */
    B.q[4] = 1.0f;
    B.q[2] = -2.69653f - 0.05f;
    send_arm(PROTO_FAULT_JOINT_LIMIT);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_JOINT_LIMIT);
    B.q[2] = -2.69653f;
    send_arm(PROTO_FAULT_JOINT_LIMIT);
    tick();
    CHECK_EQ_U(FW.faults, 0);
    CHECK_EQ_I(FW.armed, 1);
    B.q[11] = -0.916298f + 0.2f;
    tick();
    CHECK_EQ_I(count_type(PROTO_FAULT), 2);
    CHECK_EQ_U(last_of(PROTO_FAULT)->u.fault.joint, 11);
    teardown_checks();
}

static void test_over_temperature(void) {
    const proto_message *f;
    setup();
    connect(1);
    B.temp[7] = 59.99f;
    ticks(3);
    CHECK_EQ_I(FW.armed, 1);
    B.temp[7] = 60.0f;
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_OVER_TEMPERATURE);
    f = last_of(PROTO_FAULT);
    if (CHECK(f != NULL)) {
        CHECK_EQ_U(f->u.fault.joint, 7);
        CHECK_EQ_F(f->u.fault.value, 60.0f);
    }
    B.temp[7] = 55.0f; /* not below 55 */
    send_arm(PROTO_FAULT_OVER_TEMPERATURE);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_OVER_TEMPERATURE);
    B.temp[7] = 54.9f;
    send_arm(PROTO_FAULT_OVER_TEMPERATURE);
    tick();
    CHECK_EQ_U(FW.faults, 0);
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    /* The warning status bit at 50 degrees. */
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TEMPERATURE_WARNING,
               PROTO_STATUS_TEMPERATURE_WARNING);
    B.temp[7] = 49.9f;
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TEMPERATURE_WARNING, 0);
    teardown_checks();
}

static void test_sensor_fault(void) {
    const proto_message *f;
    int j;
    setup();
    connect(1);
    set_dq_pattern();
    B.dq[3] = NAN;
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_SENSOR);
    f = last_of(PROTO_FAULT);
    if (CHECK(f != NULL)) {
        CHECK_EQ_U(f->u.fault.joint, 3);
        CHECK(isnan(f->u.fault.value));
    }
    /* The joint with no velocity gets no torque; the others damp; every torque is finite. */
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(B.tau[j], j == 3 ? 0.0f : -(2.0f * B.dq[j]));
    B.dq[3] = 0.0f;
    B.gyro[1] = INFINITY;
    send_arm(PROTO_FAULT_SENSOR);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_SENSOR);
    B.gyro[1] = 0.0f;
    B.feet[2] = -INFINITY;
    send_arm(PROTO_FAULT_SENSOR);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_SENSOR);
    B.feet[2] = 0.0f;
    send_arm(PROTO_FAULT_SENSOR);
    tick();
    CHECK_EQ_U(FW.faults, 0);
    CHECK_EQ_I(FW.armed, 1);
    /* An IMU reading raises it with joint 0xFF. */
    B.quat[2] = NAN;
    tick();
    CHECK_EQ_I(count_type(PROTO_FAULT), 2);
    CHECK_EQ_U(last_of(PROTO_FAULT)->u.fault.joint, 0xFF);
    teardown_checks();
}

static void test_two_faults_two_packets(void) {
    setup();
    connect(1);
    B.q[0] = 1.2f;
    B.temp[5] = 70.0f;
    tick();
    CHECK_EQ_I(count_type(PROTO_FAULT), 2);
    CHECK_EQ_U(B.got[B.n_got - 2].u.fault.fault, PROTO_FAULT_JOINT_LIMIT);
    CHECK_EQ_U(B.got[B.n_got - 2].u.fault.faults, PROTO_FAULT_JOINT_LIMIT);
    CHECK_EQ_U(B.got[B.n_got - 1].u.fault.fault, PROTO_FAULT_OVER_TEMPERATURE);
    CHECK_EQ_U(B.got[B.n_got - 1].u.fault.faults, PROTO_FAULT_JOINT_LIMIT | PROTO_FAULT_OVER_TEMPERATURE);
    ticks(50);
    CHECK_EQ_I(count_type(PROTO_FAULT), 2);
    /* Clearing one of two leaves the device disarmed. */
    B.q[0] = 0.0f;
    send_arm(PROTO_FAULT_JOINT_LIMIT | PROTO_FAULT_OVER_TEMPERATURE);
    tick();
    CHECK_EQ_U(FW.faults, PROTO_FAULT_OVER_TEMPERATURE);
    CHECK_EQ_I(FW.armed, 0);
    teardown_checks();
}

/* ---- watchdog ------------------------------------------------------------------------------------------------- */

static void test_watchdog(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    const proto_message *f;
    uint64_t t_cmd;
    setup();
    connect(1);
    send_command(1, &c);
    t_cmd = B.clock;
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 1);
    set_dq_pattern();
    /* Host heartbeats never feed the watchdog. */
    while (B.clock < t_cmd + 99000) {
        if ((B.clock - t_cmd) % 20000 == 0)
            send_heartbeat(B.clock);
        tick();
    }
    tick(); /* at +99 ms */
    CHECK_EQ_I(FW.armed, 1);
    tick(); /* at +100 ms: not more than 100 ms yet */
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_U(FW.mode, PROTO_MODE_HOLD);
    CHECK_EQ_U(B.clock, t_cmd + 101000);
    tick(); /* at +101 ms */
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.faults, PROTO_FAULT_WATCHDOG);
    CHECK_EQ_U(FW.counters.watchdog_trips, 1);
    check_damping(); /* damping within 100 ms + 1 tick of the last valid command */
    f = last_of(PROTO_FAULT);
    if (CHECK(f != NULL)) {
        CHECK_EQ_U(f->u.fault.fault, PROTO_FAULT_WATCHDOG);
        CHECK_EQ_U(f->u.fault.fw_time_us, t_cmd + 101000);
        CHECK_EQ_U(f->u.fault.joint, 0xFF);
    }
    /* New commands do not re-arm: still damping. */
    send_command(2, &c);
    ticks(5);
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.counters.rejected_disarmed, 1);
    check_damping();
    CHECK_EQ_I(count_type(PROTO_FAULT), 1);
    /* Re-armed by an Arm that names WATCHDOG; damp until the next command; seq continues. */
    send_arm(PROTO_FAULT_WATCHDOG);
    tick();
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    check_damping();
    send_command(2, &c);
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_HOLD);
    CHECK_EQ_U(FW.counters.commands_applied, 2);
    teardown_checks();
}

static void test_watchdog_99ms_and_from_arming(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    uint64_t t_arm;
    int i;
    setup();
    connect(0);
    send_arm(PROTO_FAULT_RESET);
    t_arm = B.clock;
    tick();
    /* Armed without commands: trips 101 ms after arming. */
    ticks(100);
    CHECK_EQ_I(FW.armed, 1);
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(last_of(PROTO_FAULT)->u.fault.fw_time_us, t_arm + 101000);
    /* Commands every 99 ms (and every 100 ms) keep it armed for a long time. */
    send_arm(PROTO_FAULT_WATCHDOG);
    tick();
    for (i = 0; i < 20; i++) {
        send_command(10u + (uint32_t)i, &c);
        ticks(i % 2 ? 99 : 100);
    }
    CHECK_EQ_I(FW.armed, 1);
    CHECK_EQ_U(FW.counters.watchdog_trips, 1);
    /* Invalid and stale commands do not feed it. */
    c.kp[0] = 1000.0f;
    for (i = 0; i < 101; i++) {
        if (i % 10 == 0) {
            send_command(1000u + (uint32_t)i, &c); /* invalid */
            c.kp[0] = 60.0f;
            send_command(29, &c); /* stale (29 was applied last) */
            c.kp[0] = 1000.0f;
        }
        tick();
    }
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.counters.watchdog_trips, 2);
    teardown_checks();
}

/* ---- sequence numbers ----------------------------------------------------------------------------------------- */

static void test_seq(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    uint32_t applied[] = {10, 11, 11u + 0x7FFFFFFFu};
    setup();
    connect(1);
    send_command(10, &c);
    tick();
    CHECK_EQ_U(FW.last_applied_seq, 10);
    send_command(10, &c); /* duplicate */
    send_command(9, &c);  /* older */
    send_command(11, &c);
    send_command(11u + 0x80000000u, &c); /* half the circle away: (int32) is INT32_MIN, not newer */
    send_command(11u + 0x7FFFFFFFu, &c); /* the newest possible */
    send_command(12, &c);                /* now behind */
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 3);
    CHECK_EQ_U(FW.counters.rejected_stale, 4);
    CHECK_EQ_U(FW.counters.commands_rejected, 4);
    CHECK_EQ_I(B.n_applied, 3);
    CHECK(memcmp(B.applied_seq, applied, sizeof applied) == 0);
    CHECK_EQ_U(FW.last_applied_seq, 11u + 0x7FFFFFFFu);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.last_command_seq, 11u + 0x7FFFFFFFu);
    teardown_checks();
}

static void test_seq_wrap(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    const uint32_t seqs[] = {0xFFFFFFFEu, 0xFFFFFFFFu, 0u, 1u, 0xFFFFFFFFu, 2u};
    const int applied[] = {1, 1, 1, 1, 0, 1};
    int i;
    setup();
    connect(1);
    for (i = 0; i < 6; i++) {
        uint32_t before = FW.counters.commands_applied;
        send_command(seqs[i], &c);
        tick();
        CHECK_EQ_U(FW.counters.commands_applied - before, (uint32_t)applied[i]);
    }
    CHECK_EQ_U(FW.last_applied_seq, 2);
    teardown_checks();
}

static void test_seq_first_and_new_session(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    setup();
    host_seq = 0x7FFFFFF0u;
    connect(1); /* Hello 0x7FFFFFF0, Arm 0x7FFFFFF1 */
    send_command(0x7FFFFFF0u, &c); /* not newer than the Hello: stale even as the session's first command */
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 0);
    CHECK_EQ_U(FW.counters.rejected_stale, 1);
    send_command(0x80000000u, &c); /* the first command of a session: any seq newer than its Hello */
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 1);
    c.host_time_us = 123456789;
    send_command(0x80000005u, &c);
    tick();
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.echo_host_time_us, 123456789);
    /* A new session forgets the seq and the echo, and disarms. The host's seq runs on: its Hello is newer. */
    host_seq = 0x80000010u;
    send_hello(0xAAAAu, 10000);
    tick();
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_U(FW.session, 0xAAAAu);
    CHECK_EQ_U(FW.session_seq, 0x80000010u);
    CHECK_EQ_I(count_type(PROTO_HELLO_ACK), 2);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.last_command_seq, 0);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.echo_host_time_us, 0);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.mode, PROTO_MODE_DAMP);
    send_arm(0);
    tick();
    CHECK_EQ_I(FW.armed, 1);
    /* A command of the old session, delayed on the line past the new Hello, is newer than the old session's last
       command but older than the new Hello: stale, never applied. */
    send_command(0x80000008u, &c);
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 2);
    CHECK_EQ_U(FW.counters.rejected_stale, 2);
    send_command(0x80000012u, &c);
    tick();
    CHECK_EQ_U(FW.counters.commands_applied, 3);
    CHECK_EQ_U(FW.last_applied_seq, 0x80000012u);
    teardown_checks();
}

static void test_reordered_in_one_read(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0), d = make_command(PROTO_MODE_RUN, 60, 4, 0);
    setup();
    connect(1);
    send_command(21, &c);
    send_command(20, &d); /* overtaken by 21 */
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_HOLD);
    CHECK_EQ_U(FW.counters.rejected_stale, 1);
    CHECK_EQ_U(FW.last_applied_seq, 21);
    teardown_checks();
}

/* ---- command validation --------------------------------------------------------------------------------------- */

static void test_invalid_commands(void) {
    proto_command good = make_command(PROTO_MODE_RUN, 60, 4, 0);
    float tau_before[PROTO_JOINTS];
    uint32_t seq = 100;
    int i;
    setup();
    connect(1);
    B.q[1] = 0.85f; /* a torque that is not zero */
    send_command(seq++, &good);
    tick();
    memcpy(tau_before, B.tau, sizeof tau_before);
    CHECK(B.tau[1] != 0.0f);
    for (i = 0; i < 18; i++) {
        proto_command c = good;
        switch (i) {
        case 0: c.q_target[5] = NAN; break;
        case 1: c.kp[0] = NAN; break;
        case 2: c.kd[11] = INFINITY; break;
        case 3: c.tau_ff[2] = -INFINITY; break;
        case 4: c.q_target[0] = INFINITY; break;
        case 5: c.kp[3] = nextafterf(500.0f, 1000.0f); break;
        case 6: c.kp[3] = -0.001f; break;
        case 7: c.kd[6] = nextafterf(50.0f, 100.0f); break;
        case 8: c.kd[6] = -1e-30f; break;
        case 9: c.tau_ff[9] = nextafterf(33.5f, 100.0f); break;
        case 10: c.tau_ff[9] = -33.6f; break;
        case 11: c.mode = 3; break;
        case 12: c.mode = 255; break;
        case 13: c.flags = 1; break;
        case 14: c.flags = 0x80; break;
        case 15: c.interp_us = 1000001; break;
        case 16: c.interp_us = 0xFFFFFFFFu; break;
        default: c.kp[11] = 1e30f; break;
        }
        c.q_target[1] = 3.0f; /* would change the torque if applied */
        send_command(seq++, &c);
        tick();
        CHECK_EQ_U(FW.counters.rejected_invalid, (uint32_t)i + 1);
        CHECK(memcmp(B.tau, tau_before, sizeof tau_before) == 0); /* the previous command stays in force */
    }
    CHECK_EQ_U(FW.counters.commands_applied, 1);
    CHECK_EQ_U(FW.counters.commands_rejected, 18);
    CHECK_EQ_I(FW.armed, 1);
    /* Boundaries are valid. */
    for (i = 0; i < 6; i++) {
        proto_command c = good;
        switch (i) {
        case 0: c.kp[3] = 500.0f; break;
        case 1: c.kd[3] = 50.0f; break;
        case 2: c.tau_ff[3] = 33.5f; break;
        case 3: c.tau_ff[3] = -33.5f; break;
        case 4: c.interp_us = 1000000; break;
        default: c.kp[3] = 0.0f; c.kd[3] = 0.0f; c.q_target[3] = -100.0f; break;
        }
        send_command(seq++, &c);
        tick();
        CHECK_EQ_U(FW.counters.commands_applied, (uint32_t)i + 2);
    }
    teardown_checks();
}

/* ---- control law and limits ----------------------------------------------------------------------------------- */

static void test_damp_law(void) {
    proto_command c = make_command(PROTO_MODE_DAMP, 500, 50, 0);
    int j;
    setup();
    set_dq_pattern();
    tick();
    check_damping(); /* disarmed, no session */
    connect(1);
    check_damping(); /* armed, no command yet */
    c.tau_ff[0] = 10.0f;
    send_command(1, &c);
    tick();
    check_damping(); /* armed, damp command: its gains and tau_ff are not used */
    /* Saturated at +-33.5. */
    B.dq[0] = 20.0f;
    B.dq[1] = -16.75f;
    tick();
    CHECK_EQ_F(B.tau[0], -33.5f);
    CHECK_EQ_F(B.tau[1], 33.5f);
    for (j = 2; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(B.tau[j], -(2.0f * B.dq[j]));
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TORQUE_SATURATED, PROTO_STATUS_TORQUE_SATURATED);
    teardown_checks();
}

static void test_run_law_exact(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 60, 4, 0);
    int j;
    setup();
    connect(1);
    set_dq_pattern();
    for (j = 0; j < PROTO_JOINTS; j++) {
        c.q_target[j] = B.q[j] + 0.01f * (float)(j - 6);
        c.tau_ff[j] = 0.5f * (float)(j - 3);
    }
    send_command(1, &c);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++) {
        float p = 60.0f * (c.q_target[j] - B.q[j]);
        float d = 4.0f * B.dq[j];
        float want = p - d + c.tau_ff[j];
        CHECK_EQ_F(B.tau[j], want);
    }
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status, PROTO_STATUS_ARMED | PROTO_STATUS_SESSION);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.mode, PROTO_MODE_RUN);
    teardown_checks();
}

static void test_target_clipped_to_range(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 100, 0, 0);
    float p;
    setup();
    connect(1);
    B.q[0] = 0.7f;          /* hip, range +-0.802851 */
    c.q_target[0] = 0.9f;   /* beyond the range, within 0.2 of q */
    B.q[3] = -0.75f;
    c.q_target[3] = -0.85f; /* beyond the lower end */
    send_command(1, &c);
    tick();
    p = 100.0f * (0.802851f - 0.7f);
    CHECK_EQ_F(B.tau[0], p);
    p = 100.0f * (-0.802851f - -0.75f);
    CHECK_EQ_F(B.tau[3], p);
    CHECK_EQ_F(B.tau[1], 0.0f); /* unclipped joints at their target */
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TARGET_CLIPPED, PROTO_STATUS_TARGET_CLIPPED);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TORQUE_SATURATED, 0);
    /* The bit describes the last period only: target back inside, the next State has it clear. */
    c.q_target[0] = 0.7f;
    c.q_target[3] = -0.75f;
    send_command(2, &c);
    ticks(20); /* the State after next: its whole period after the command */
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TARGET_CLIPPED, 0);
    teardown_checks();
}

static void test_target_clipped_to_measured(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 100, 0, 0);
    float p;
    setup();
    connect(1);
    B.q[1] = 0.9f;
    c.q_target[1] = 1.5f;  /* 0.6 above the measured angle */
    B.q[2] = -1.8f;
    c.q_target[2] = -2.5f; /* 0.7 below */
    send_command(1, &c);
    tick();
    p = 100.0f * ((0.9f + 0.2f) - 0.9f);
    CHECK_EQ_F(B.tau[1], p);
    p = 100.0f * ((-1.8f - 0.2f) - -1.8f);
    CHECK_EQ_F(B.tau[2], p);
    CHECK_NEAR(B.tau[1], 20.0, 1e-4);
    CHECK_NEAR(B.tau[2], -20.0, 1e-4);
    /* The window moves with the measured angle. */
    B.q[1] = 1.2f;
    tick();
    p = 100.0f * ((1.2f + 0.2f) - 1.2f);
    CHECK_EQ_F(B.tau[1], p);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TARGET_CLIPPED, PROTO_STATUS_TARGET_CLIPPED);
    teardown_checks();
}

/* The range first, then the window around the measured angle (so the torque stays within kp * 0.2). With the A1's
   margin (0.1 < 0.2) the order cannot matter while armed; with a margin of 0.5 it does. */
static void test_clip_order(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 100, 0, 0);
    fw_hal h = fake_hal();
    float p;
    setup();
    CFG.joint_limit_margin_rad = 0.5f;
    CHECK_EQ_I(fw_init(&FW, &CFG, &h), 0);
    connect(1);
    B.q[0] = 1.1f;        /* hip: 0.3 above its range */
    c.q_target[0] = 0.0f; /* range: 0.0; then the window [0.9, 1.3]: 0.9 */
    send_command(1, &c);
    tick();
    CHECK_EQ_I(FW.armed, 1);
    p = 100.0f * ((1.1f - 0.2f) - 1.1f);
    CHECK_EQ_F(B.tau[0], p);
    teardown_checks();
}

static void test_torque_clipped(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 500, 0, 0);
    setup();
    connect(1);
    c.q_target[0] = B.q[0] + 0.15f;  /* 500 * 0.15 = 75 */
    c.q_target[1] = B.q[1] - 0.15f;
    c.q_target[2] = B.q[2];
    c.tau_ff[2] = 33.5f;             /* exactly the limit: not saturated */
    c.kp[5] = 0.0f;
    c.tau_ff[5] = -33.5f;
    send_command(1, &c);
    B.dq[5] = 1.0f;                  /* kd 0: no effect */
    tick();
    CHECK_EQ_F(B.tau[0], 33.5f);
    CHECK_EQ_F(B.tau[1], -33.5f);
    CHECK_EQ_F(B.tau[2], 33.5f);
    CHECK_EQ_F(B.tau[5], -33.5f);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TORQUE_SATURATED, PROTO_STATUS_TORQUE_SATURATED);
    teardown_checks();
}

static void test_interpolation(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 100, 0, 50000);
    float start[PROTO_JOINTS], mid[PROTO_JOINTS];
    uint64_t t_cmd;
    int j;
    setup();
    connect(1);
    for (j = 0; j < PROTO_JOINTS; j++) {
        start[j] = B.q[j];
        c.q_target[j] = B.q[j] + 0.1f;
    }
    send_command(1, &c);
    t_cmd = B.clock;
    tick();
    /* At arrival: the reference is the measured angle (previous mode damp). */
    for (j = 0; j < PROTO_JOINTS; j++) {
        CHECK_EQ_F(FW.q_start[j], start[j]);
        CHECK_EQ_F(FW.q_ref[j], start[j]);
        CHECK_EQ_F(B.tau[j], 0.0f);
    }
    /* At +10 ms: a fifth of the way. */
    ticks(9);
    CHECK_EQ_U(B.clock, t_cmd + 10000);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_ref[j], start[j] + (c.q_target[j] - start[j]) * (10000.0f / 50000.0f));
    /* At +25 ms: the midpoint exactly, and the torque pulls towards it. */
    ticks(14);
    CHECK_EQ_U(B.clock, t_cmd + 25000);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++) {
        float p;
        mid[j] = start[j] + (c.q_target[j] - start[j]) * 0.5f;
        CHECK_EQ_F(FW.q_ref[j], mid[j]);
        p = 100.0f * (mid[j] - B.q[j]);
        CHECK_EQ_F(B.tau[j], p);
        CHECK_NEAR(FW.q_ref[j], start[j] + 0.05, 1e-6);
    }
    /* At +50 ms and after: the target. */
    ticks(24);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_ref[j], c.q_target[j]);
    ticks(30);
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_ref[j], c.q_target[j]);
    teardown_checks();
}

static void test_interpolation_restart_mid_ramp(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 100, 0, 50000), d;
    float start[PROTO_JOINTS], mid[PROTO_JOINTS];
    uint64_t t1, t2;
    int j;
    setup();
    connect(1);
    for (j = 0; j < PROTO_JOINTS; j++) {
        start[j] = B.q[j];
        c.q_target[j] = B.q[j] + 0.1f;
    }
    send_command(1, &c);
    t1 = B.clock;
    tick();
    ticks(24);
    /* A new command arrives at +25 ms, in the middle of the ramp: its ramp starts at the current reference. */
    d = c;
    for (j = 0; j < PROTO_JOINTS; j++)
        d.q_target[j] = B.q[j] - 0.1f;
    send_command(2, &d);
    t2 = B.clock;
    CHECK_EQ_U(t2, t1 + 25000);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++) {
        mid[j] = start[j] + (c.q_target[j] - start[j]) * 0.5f;
        CHECK_EQ_F(FW.q_start[j], mid[j]);
        CHECK_EQ_F(FW.q_ref[j], mid[j]);
    }
    ticks(24);
    tick(); /* +25 ms of the second ramp */
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_ref[j], mid[j] + (d.q_target[j] - mid[j]) * 0.5f);
    /* interp_us 0: at once. */
    d.interp_us = 0;
    for (j = 0; j < PROTO_JOINTS; j++)
        d.q_target[j] = B.q[j] + 0.05f;
    send_command(3, &d);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_ref[j], d.q_target[j]);
    teardown_checks();
}

static void test_run_after_hold_starts_from_measured(void) {
    proto_command h = make_command(PROTO_MODE_HOLD, 60, 4, 0), r = make_command(PROTO_MODE_RUN, 60, 4, 50000);
    int j;
    setup();
    connect(1);
    for (j = 0; j < PROTO_JOINTS; j++)
        r.q_target[j] = B.q[j] + 0.1f;
    r.interp_us = 0;
    send_command(1, &r);
    tick();
    send_command(2, &h);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++)
        B.q[j] += 0.03f;
    r.interp_us = 50000;
    send_command(3, &r);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_start[j], B.q[j]); /* not the old reference */
    teardown_checks();
}

static void test_hold(void) {
    proto_command h = make_command(PROTO_MODE_HOLD, 50, 1, 0), damp = make_command(PROTO_MODE_DAMP, 0, 0, 0);
    float latched[PROTO_JOINTS];
    int j;
    setup();
    connect(1);
    for (j = 0; j < PROTO_JOINTS; j++) {
        h.q_target[j] = -5.0f;   /* ignored in hold */
        h.tau_ff[j] = 3.0f;      /* ignored in hold */
        B.q[j] += 0.01f * (float)j;
        latched[j] = B.q[j];
    }
    send_command(1, &h);
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_HOLD);
    for (j = 0; j < PROTO_JOINTS; j++) {
        CHECK_EQ_F(FW.q_hold[j], latched[j]);
        CHECK_EQ_F(B.tau[j], 0.0f);
    }
    /* Pushed away: pulled back to the latched angles. */
    set_dq_pattern();
    for (j = 0; j < PROTO_JOINTS; j++)
        B.q[j] = latched[j] + 0.05f;
    tick();
    for (j = 0; j < PROTO_JOINTS; j++) {
        float p = 50.0f * (latched[j] - B.q[j]), d = 1.0f * B.dq[j];
        CHECK_EQ_F(B.tau[j], p - d + 0.0f);
    }
    /* Another hold command: new gains, the same latched angles. */
    h.kp[0] = 80.0f;
    send_command(2, &h);
    tick();
    CHECK_EQ_F(FW.q_hold[0], latched[0]);
    {
        float p = 80.0f * (latched[0] - B.q[0]), d = 1.0f * B.dq[0];
        CHECK_EQ_F(B.tau[0], p - d + 0.0f);
    }
    /* Leaving hold and entering it again latches anew. */
    send_command(3, &damp);
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    send_command(4, &h);
    tick();
    for (j = 0; j < PROTO_JOINTS; j++)
        CHECK_EQ_F(FW.q_hold[j], latched[j] + 0.05f);
    teardown_checks();
}

/* ---- State, Heartbeat ----------------------------------------------------------------------------------------- */

static void test_state_contents(void) {
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    const proto_message *m;
    int j;
    setup();
    connect(1);
    set_dq_pattern();
    B.quat[1] = 0.125f;
    B.gyro[0] = -0.5f;
    B.gyro[2] = 1.75f;
    B.accel[0] = 0.25f;
    c.host_time_us = 0x0123456789ABull;
    send_command(42, &c);
    ticks(20);
    m = last_of(PROTO_STATE);
    if (!CHECK(m != NULL))
        return;
    CHECK_EQ_U(m->u.state.fw_time_us, last_time_of(PROTO_STATE));
    CHECK_EQ_U(m->u.state.echo_host_time_us, 0x0123456789ABull);
    CHECK_EQ_U(m->u.state.last_command_seq, 42);
    CHECK_EQ_U(m->u.state.faults, 0);
    CHECK_EQ_U(m->u.state.status, PROTO_STATUS_ARMED | PROTO_STATUS_SESSION);
    CHECK_EQ_U(m->u.state.mode, PROTO_MODE_HOLD);
    for (j = 0; j < 4; j++)
        CHECK_EQ_F(m->u.state.quat[j], B.quat[j]);
    for (j = 0; j < 3; j++) {
        CHECK_EQ_F(m->u.state.gyro[j], B.gyro[j]);
        CHECK_EQ_F(m->u.state.accel[j], B.accel[j]);
    }
    for (j = 0; j < PROTO_JOINTS; j++) {
        CHECK_EQ_F(m->u.state.q[j], B.q[j]);
        CHECK_EQ_F(m->u.state.dq[j], B.dq[j]);
        CHECK_EQ_F(m->u.state.tau_est[j], B.tau_est[j]);
        CHECK_EQ_F(m->u.state.temp_c[j], B.temp[j]);
    }
    for (j = 0; j < PROTO_FEET; j++)
        CHECK_EQ_F(m->u.state.foot_force[j], B.feet[j]);
    /* A rejected command changes neither echo nor seq. */
    c.host_time_us = 99;
    send_command(42, &c);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.echo_host_time_us, 0x0123456789ABull);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.last_command_seq, 42);
    /* Before the first command: 0 and 0. */
    setup();
    connect(1);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.last_command_seq, 0);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.echo_host_time_us, 0);
    teardown_checks();
}

static void test_states_skipped(void) {
    proto_command c = make_command(PROTO_MODE_RUN, 100, 0, 0);
    int before;
    setup();
    connect(1);
    ticks(10);
    before = count_type(PROTO_STATE);
    /* 293 bytes of room: a State (294 bytes on the wire) does not fit; a Heartbeat (46) does. */
    B.space_per_tick = 293;
    c.q_target[0] = 2.0f; /* clipped: reported in the next State that goes out */
    send_command(1, &c);
    ticks(200);
    CHECK_EQ_I(count_type(PROTO_STATE), before);
    CHECK_EQ_U(FW.counters.states_skipped, 20);
    CHECK(count_type(PROTO_HEARTBEAT) >= 2);
    c.q_target[0] = B.q[0];
    send_command(2, &c);
    tick();
    B.space_per_tick = 294; /* exactly one State */
    ticks(10);
    CHECK_EQ_I(count_type(PROTO_STATE), before + 1);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TARGET_CLIPPED, PROTO_STATUS_TARGET_CLIPPED);
    CHECK_EQ_U(FW.counters.states_skipped, 20);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_TARGET_CLIPPED, 0);
    /* Skipped States do not use up seq numbers: the host sees no gap. */
    {
        int i;
        for (i = 1; i < B.n_got; i++)
            CHECK_EQ_U(B.got[i].seq, B.got[i - 1].seq + 1);
    }
    /* A short write (the HAL took less than it said it could) counts as not sent. */
    B.space_per_tick = 100000;
    B.short_write = 1;
    send_hello(9, 10000);
    tick();
    CHECK_EQ_U(FW.counters.tx_dropped, 1);
    CHECK_EQ_I(B.overrun, 0); /* (the host now sees one damaged frame: no teardown_checks) */
}

static void test_heartbeat(void) {
    const proto_message *h;
    const uint8_t garbage[] = {0x13, 0x37, 0x42, 0x00}; /* a cobs error */
    proto_command c = make_command(PROTO_MODE_HOLD, 60, 4, 0);
    int i;
    setup();
    /* Without a session: one at the first tick, then every 100 ms. */
    for (i = 0; i < 1000; i++)
        tick();
    CHECK_EQ_I(count_type(PROTO_HEARTBEAT), 10);
    for (i = 0; i < B.n_got; i++)
        if (B.got[i].type == PROTO_HEARTBEAT) {
            CHECK_EQ_U(B.got_time[i], T0 + 100000u * (uint64_t)(i));
            CHECK_EQ_U(B.got[i].u.heartbeat.time_us, B.got_time[i]);
            CHECK_EQ_U(B.got[i].u.heartbeat.echo_time_us, 0);
        }
    /* Counters and the echo of the host's Heartbeat. */
    send_heartbeat(0xABCDEF12345ull);
    send_bytes(garbage, sizeof garbage);
    connect(1);                /* Hello, Arm */
    send_command(5, &c);       /* applied */
    send_command(5, &c);       /* rejected */
    ticks(120);
    h = last_of(PROTO_HEARTBEAT);
    CHECK_EQ_U(h->u.heartbeat.echo_time_us, 0xABCDEF12345ull);
    CHECK_EQ_U(h->u.heartbeat.rx_ok, 5);
    CHECK_EQ_U(h->u.heartbeat.rx_bad, 1);
    CHECK_EQ_U(h->u.heartbeat.commands_applied, 1);
    CHECK_EQ_U(h->u.heartbeat.commands_rejected, 1);
    CHECK_EQ_U(FW.counters.rx_errors[PROTO_ERR_COBS], 1);
    CHECK_EQ_U(FW.counters.rx_ok, 5);
    /* Still every 100 ms in a session. */
    CHECK_EQ_I(count_type(PROTO_HEARTBEAT), 12);
    teardown_checks();
}

/* A board's clock starts near 0: the first Heartbeat still goes out at the first tick. */
static void test_heartbeat_clock_from_zero(void) {
    int i;
    setup();
    B.clock = 0;
    tick();
    CHECK_EQ_I(count_type(PROTO_HEARTBEAT), 1);
    CHECK_EQ_U(last_of(PROTO_HEARTBEAT)->u.heartbeat.time_us, 0);
    for (i = 0; i < 100; i++)
        tick();
    CHECK_EQ_I(count_type(PROTO_HEARTBEAT), 2);
    CHECK_EQ_U(last_of(PROTO_HEARTBEAT)->u.heartbeat.time_us, 100000);
    teardown_checks();
}

static void test_mode_state_machine(void) {
    proto_command damp = make_command(PROTO_MODE_DAMP, 0, 0, 0), hold = make_command(PROTO_MODE_HOLD, 60, 4, 0),
                  run = make_command(PROTO_MODE_RUN, 60, 4, 20000);
    const struct { const proto_command *c; uint8_t mode; } steps[] = {
        {&hold, PROTO_MODE_HOLD}, {&run, PROTO_MODE_RUN}, {&run, PROTO_MODE_RUN}, {&hold, PROTO_MODE_HOLD},
        {&damp, PROTO_MODE_DAMP}, {&run, PROTO_MODE_RUN}, {&damp, PROTO_MODE_DAMP}, {&hold, PROTO_MODE_HOLD},
    };
    uint32_t seq = 1;
    int i;
    setup();
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    connect(1);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP); /* armed: damp until the first command */
    for (i = 0; i < (int)(sizeof steps / sizeof steps[0]); i++) {
        send_command(seq++, steps[i].c);
        ticks(10);
        CHECK_EQ_U(FW.mode, steps[i].mode);
        CHECK_EQ_U(last_of(PROTO_STATE)->u.state.mode, steps[i].mode);
    }
    /* A fault disarms to damp; a re-arm stays in damp; run again from the measured angles. */
    send_command(seq++, &run);
    tick();
    send_estop(0);
    ticks(10);
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.mode, PROTO_MODE_DAMP);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_ARMED, 0);
    send_arm(PROTO_FAULT_ESTOP);
    ticks(10);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.mode, PROTO_MODE_DAMP);
    CHECK_EQ_U(last_of(PROTO_STATE)->u.state.status & PROTO_STATUS_ARMED, PROTO_STATUS_ARMED);
    send_command(seq++, &run);
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_RUN);
    /* A Hello mid-session: disarmed, damp. */
    send_hello(0x77, 20000);
    tick();
    CHECK_EQ_U(FW.mode, PROTO_MODE_DAMP);
    CHECK_EQ_I(FW.armed, 0);
    CHECK_EQ_I(B.n_applied, (int)FW.counters.commands_applied);
    teardown_checks();
}

static void test_rx_errors_counted(void) {
    uint8_t wire[PROTO_MAX_WIRE];
    proto_message m;
    size_t n;
    setup();
    memset(&m, 0, sizeof m);
    m.type = PROTO_ARM;
    m.u.arm.clear_faults = PROTO_FAULT_RESET;
    n = proto_encode(&m, wire);
    wire[3] ^= 0x04; /* a bit flip: crc */
    connect(0);
    send_bytes(wire, n);
    tick();
    CHECK_EQ_U(FW.counters.rx_bad, 1);
    CHECK_EQ_U(FW.counters.rx_errors[PROTO_ERR_CRC], 1);
    CHECK_EQ_I(FW.armed, 0); /* never applied */
    teardown_checks();
}

int main(void) {
    RUN(test_config_a1);
    RUN(test_config_check);
    RUN(test_init);
    RUN(test_handshake);
    RUN(test_version_mismatch);
    RUN(test_bad_period);
    RUN(test_state_period_rounding);
    RUN(test_before_session);
    RUN(test_disarmed_commands_rejected);
    RUN(test_arm_needs_reset_cleared);
    RUN(test_estop_input);
    RUN(test_estop_packet);
    RUN(test_joint_limit);
    RUN(test_over_temperature);
    RUN(test_sensor_fault);
    RUN(test_two_faults_two_packets);
    RUN(test_watchdog);
    RUN(test_watchdog_99ms_and_from_arming);
    RUN(test_seq);
    RUN(test_seq_wrap);
    RUN(test_seq_first_and_new_session);
    RUN(test_reordered_in_one_read);
    RUN(test_invalid_commands);
    RUN(test_damp_law);
    RUN(test_run_law_exact);
    RUN(test_target_clipped_to_range);
    RUN(test_target_clipped_to_measured);
    RUN(test_clip_order);
    RUN(test_torque_clipped);
    RUN(test_interpolation);
    RUN(test_interpolation_restart_mid_ramp);
    RUN(test_run_after_hold_starts_from_measured);
    RUN(test_hold);
    RUN(test_state_contents);
    RUN(test_states_skipped);
    RUN(test_heartbeat);
    RUN(test_heartbeat_clock_from_zero);
    RUN(test_mode_state_machine);
    RUN(test_rx_errors_counted);
    return check_summary();
}
