/*
 * test_faults.c: the fault proof, in simulated time. The firmware core (core/fw.c) on a fake board (a clock that
 * advances 1 ms per tick, constant sensor readings within range) talks to a host written here (proto.h: Hello,
 * Arm, Command out; HelloAck, State, Fault in), with the emulator's fault injector (sitl/faults.c) between them in
 * both directions. For each configuration of fault rates and command rate the host sends at least 10^5 Commands
 * and the harness checks, from outside the firmware:
 *
 *   - every applied command (on_command_applied) is bit for bit a command the host sent with that seq;
 *   - no seq is applied twice, and every applied seq is newer than the one applied before;
 *   - a loss (armed, and no command applied for more than the 100 ms watchdog) always ends in damping within
 *     100 ms + 1 tick of the last applied command (or of arming), never earlier than 100 ms, and the torques
 *     written while disarmed are the damping law's;
 *   - the host detects every loss (States missing, a Fault WATCHDOG, the faults bit, not armed, or the port gone)
 *     within a second, and re-handshakes or re-arms as a real host would.
 *
 * A table row per configuration, then "N passed, N failed". Needs no MuJoCo and no OS beyond stdio.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/fw.h"
#include "../core/proto.h"
#include "../sitl/faults.h"
#include "check.h"

#define SENT_RING 8192        /* commands remembered by seq (a command older than this cannot still be in flight) */
#define APPLIED_BITS (1u << 22) /* packets per run, by far more than a run sends */
#define DETECT_WINDOW_US 1000000u
#define MAX_PENDING 64

static int debug; /* TF_DEBUG=1 in the environment: print every loss and detection */

/* ---- the fake board ------------------------------------------------------------------------------------------ */

static const float STAND[3] = {0.05f, 0.9f, -1.8f};

typedef struct harness harness;

typedef struct {
    uint64_t now_us;
    faults_t *faults;
    float q[PROTO_JOINTS], dq[PROTO_JOINTS];
    float tau[PROTO_JOINTS];
    harness *h;
    proto_receiver tap; /* decodes what the device reads, to see which Commands reached it intact */
    proto_message tap_msg;
    proto_receiver tap_out; /* decodes what the device writes, before the injector */
    proto_message tap_out_msg;
    uint64_t watchdog_faults_sent;
} board;

static uint64_t b_micros(void *ctx) { return ((board *) ctx)->now_us; }

static void b_read_joints(void *ctx, float q[PROTO_JOINTS], float dq[PROTO_JOINTS], float tau[PROTO_JOINTS],
                          float temp[PROTO_JOINTS]) {
    board *b = ctx;
    for (int j = 0; j < PROTO_JOINTS; j++) {
        q[j] = b->q[j];
        dq[j] = b->dq[j];
        tau[j] = 0.5f;
        temp[j] = 30.0f;
    }
}

static void b_read_imu(void *ctx, float quat[4], float gyro[3], float accel[3]) {
    (void) ctx;
    quat[0] = 1, quat[1] = quat[2] = quat[3] = 0;
    gyro[0] = 0.01f, gyro[1] = -0.02f, gyro[2] = 0.005f;
    accel[0] = 0.1f, accel[1] = -0.1f, accel[2] = 9.81f;
}

static void b_read_feet(void *ctx, float f[PROTO_FEET]) {
    (void) ctx;
    for (int i = 0; i < PROTO_FEET; i++) f[i] = 30.0f + (float) i;
}

static void b_write_torques(void *ctx, const float tau[PROTO_JOINTS]) {
    memcpy(((board *) ctx)->tau, tau, sizeof(float) * PROTO_JOINTS);
}

static void tap_command(harness *h);

static int b_serial_read(void *ctx, uint8_t *buf, int max) {
    board *b = ctx;
    size_t n = faults_pull(b->faults, FAULTS_TO_DEVICE, buf, (size_t) max, b->now_us);
    for (size_t i = 0; i < n; i++)
        if (proto_receiver_feed(&b->tap, buf[i], &b->tap_msg) == PROTO_OK && b->tap_msg.type == PROTO_COMMAND)
            tap_command(b->h);
    return (int) n;
}

static int b_serial_write_space(void *ctx) {
    size_t used = faults_ready(((board *) ctx)->faults, FAULTS_TO_HOST);
    return used >= 4096 ? 0 : (int) (4096 - used);
}

static int b_serial_write(void *ctx, const uint8_t *buf, int n) {
    board *b = ctx;
    for (int i = 0; i < n; i++)
        if (proto_receiver_feed(&b->tap_out, buf[i], &b->tap_out_msg) == PROTO_OK
            && b->tap_out_msg.type == PROTO_FAULT && b->tap_out_msg.u.fault.fault == PROTO_FAULT_WATCHDOG)
            b->watchdog_faults_sent++;
    faults_push(b->faults, FAULTS_TO_HOST, buf, (size_t) n, b->now_us);
    return n;
}

static void b_on_command_applied(void *ctx, uint32_t seq, const proto_command *command);

/* ---- the host -------------------------------------------------------------------------------------------------- */

enum host_phase { H_GONE, H_HELLO, H_ARMING, H_OPERATING };
enum detect_cause { D_PORT, D_STATE_TIMEOUT, D_FAULT, D_FAULTS_BIT, D_NOT_ARMED, D_ARM_RETRY, D_CAUSES };

typedef struct {
    enum host_phase phase;
    uint32_t period_us;        /* command period = the State period asked for */
    uint32_t state_timeout_us; /* no State for this long while operating: the link is lost */
    uint32_t seq, seq0;
    uint32_t session;
    uint64_t last_hello_us, last_arm_us, last_cmd_us, last_state_us;
    uint64_t newest_fw_time_us;   /* newest State seen (older ones, delayed or reordered, are ignored) */
    uint64_t fw_time_at_arm_us;   /* newest_fw_time_us when the last Arm was sent */
    proto_receiver rx;
    proto_message msg;
    sitl_rng rng;
    uint64_t commands_sent, hellos, arms;
    uint64_t detections, detect_by[D_CAUSES];
    uint32_t sent_seq[SENT_RING];
    uint64_t sent_time_us[SENT_RING];
    uint32_t sent_session[SENT_RING];
    uint8_t sent_payload[SENT_RING][PROTO_COMMAND_LEN];
} host;

struct harness {
    faults_t faults;
    board board;
    fw_t fw;
    host host;

    /* checks on applied commands */
    uint8_t applied_bits[APPLIED_BITS / 8];
    int have_applied;
    uint32_t last_applied_seq;
    uint64_t applied, corrupt_applied, dup_applied, stale_applied;
    uint64_t other_session_applied; /* sent in an earlier session than the device's current one */

    /* the harness's own watchdog model */
    int prev_armed;
    uint64_t t_ref_us;            /* last applied command, or arming (device clock) */
    uint64_t t_ref_sent_us;       /* when the host sent that command (or its last Arm) */
    int loss_open;                /* a loss counted and not yet ended by re-arming */
    uint32_t prev_trips;
    uint64_t losses, undamped, early_trips, damp_mismatch, trips_disarmed;

    /* matching losses with host detections */
    uint64_t pending_loss_ref[MAX_PENDING], pending_loss_trip[MAX_PENDING];
    int pending;
    uint64_t spare_detect[MAX_PENDING];
    int spares;
    uint64_t detected, unjudged, false_alarms;

    /* link losses: Commands not reaching the device intact for > 100 ms while the host commands */
    uint64_t last_intact_cmd_us;
    int link_down;
    uint64_t link_losses;
};

static uint8_t *sent_slot(host *o, uint32_t seq) { return o->sent_payload[seq % SENT_RING]; }

static void host_write(harness *h, const proto_message *m) {
    uint8_t wire[PROTO_MAX_WIRE];
    size_t n = proto_encode(m, wire);
    faults_push(&h->faults, FAULTS_TO_DEVICE, wire, n, h->board.now_us);
}

static void send_hello(harness *h) {
    host *o = &h->host;
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_HELLO;
    m.seq = o->seq++;
    m.u.hello.protocol_version = PROTO_VERSION;
    m.u.hello.session = o->session;
    m.u.hello.state_period_us = o->period_us;
    host_write(h, &m);
    o->last_hello_us = h->board.now_us;
    o->hellos++;
}

static void start_handshake(harness *h) {
    host *o = &h->host;
    do o->session = (uint32_t) sitl_rng_next(&o->rng);
    while (o->session == 0);
    uint8_t zero = 0;
    faults_push(&h->faults, FAULTS_TO_DEVICE, &zero, 1, h->board.now_us);
    o->phase = H_HELLO;
    send_hello(h);
}

static void send_arm(harness *h) {
    host *o = &h->host;
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_ARM;
    m.seq = o->seq++;
    m.u.arm.clear_faults = PROTO_FAULT_WATCHDOG | PROTO_FAULT_RESET;
    host_write(h, &m);
    o->last_arm_us = h->board.now_us;
    o->fw_time_at_arm_us = o->newest_fw_time_us;
    o->arms++;
}

static void send_command(harness *h) {
    host *o = &h->host;
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_COMMAND;
    m.seq = o->seq++;
    proto_command *c = &m.u.command;
    c->host_time_us = h->board.now_us + 1234567u;
    c->mode = PROTO_MODE_RUN;
    c->interp_us = o->period_us;
    double phase = (double) o->commands_sent * 0.01;
    for (int j = 0; j < PROTO_JOINTS; j++) {
        c->q_target[j] = STAND[j % 3] + (float) (0.1 * sin(phase + j));
        c->kp[j] = 60.0f;
        c->kd[j] = 4.0f;
        c->tau_ff[j] = (float) (0.5 * cos(phase + 2 * j));
    }
    uint8_t packet[PROTO_MAX_PACKET];
    proto_pack(&m, packet);
    o->sent_seq[m.seq % SENT_RING] = m.seq;
    o->sent_time_us[m.seq % SENT_RING] = h->board.now_us;
    o->sent_session[m.seq % SENT_RING] = o->session;
    memcpy(sent_slot(o, m.seq), packet + PROTO_HEADER_BYTES, PROTO_COMMAND_LEN);
    host_write(h, &m);
    o->last_cmd_us = h->board.now_us;
    o->commands_sent++;
}

/* The host noticed the device is not (or may not be) executing its commands. */
static void detect(harness *h, enum detect_cause why) {
    host *o = &h->host;
    uint64_t now = h->board.now_us;
    o->detections++;
    o->detect_by[why]++;
    if (debug) printf("detect %d at %.3f pending %d\n", why, now / 1e6, h->pending);
    /* the oldest pending loss still in its window, else keep it for a loss still to come */
    for (int i = 0; i < h->pending; i++) {
        if (now >= h->pending_loss_ref[i] && now <= h->pending_loss_trip[i] + DETECT_WINDOW_US) {
            h->detected++;
            memmove(&h->pending_loss_ref[i], &h->pending_loss_ref[i + 1], sizeof(uint64_t) * (h->pending - i - 1));
            memmove(&h->pending_loss_trip[i], &h->pending_loss_trip[i + 1], sizeof(uint64_t) * (h->pending - i - 1));
            h->pending--;
            return;
        }
    }
    if (h->spares == MAX_PENDING) {
        h->false_alarms++;
        memmove(&h->spare_detect[0], &h->spare_detect[1], sizeof(uint64_t) * (MAX_PENDING - 1));
        h->spares--;
    }
    h->spare_detect[h->spares++] = now;
}

static void handle_device_message(harness *h, const proto_message *m) {
    host *o = &h->host;
    uint64_t now = h->board.now_us;
    switch (m->type) {
    case PROTO_HELLO_ACK:
        if (o->phase == H_HELLO && m->u.hello_ack.session == o->session && m->u.hello_ack.status == 0) {
            o->phase = H_ARMING;
            o->last_state_us = now;
            send_arm(h);
        }
        break;
    case PROTO_STATE: {
        const proto_state *s = &m->u.state;
        if (s->fw_time_us <= o->newest_fw_time_us) break; /* older than one seen: delayed or reordered */
        o->newest_fw_time_us = s->fw_time_us;
        if (o->phase != H_ARMING && o->phase != H_OPERATING) break;
        o->last_state_us = now;
        if (s->fw_time_us <= o->fw_time_at_arm_us) break;
        int armed = (s->status & PROTO_STATUS_ARMED) != 0, tripped = (s->faults & PROTO_FAULT_WATCHDOG) != 0;
        if (o->phase == H_ARMING && armed && !tripped) {
            o->phase = H_OPERATING;
        } else if (o->phase == H_OPERATING && (tripped || !armed)) {
            detect(h, tripped ? D_FAULTS_BIT : D_NOT_ARMED);
            o->phase = H_ARMING;
            send_arm(h);
        }
        break;
    }
    case PROTO_FAULT:
        if ((m->u.fault.fault & PROTO_FAULT_WATCHDOG) && m->u.fault.fw_time_us > o->fw_time_at_arm_us
            && (o->phase == H_ARMING || o->phase == H_OPERATING)) {
            detect(h, D_FAULT);
            o->phase = H_ARMING;
            send_arm(h);
        }
        break;
    default: break;
    }
}

static void host_tick(harness *h) {
    host *o = &h->host;
    uint64_t now = h->board.now_us;
    if (faults_unplugged(&h->faults)) { /* the port is gone: reads fail */
        if (o->phase == H_ARMING || o->phase == H_OPERATING) detect(h, D_PORT);
        o->phase = H_GONE;
        return;
    }
    if (o->phase == H_GONE) { /* it is back: reopen, start over */
        proto_receiver_init(&o->rx);
        start_handshake(h);
    }
    uint8_t buf[4096];
    size_t n;
    while ((n = faults_pull(&h->faults, FAULTS_TO_HOST, buf, sizeof buf, now)) > 0)
        for (size_t i = 0; i < n; i++)
            if (proto_receiver_feed(&o->rx, buf[i], &o->msg) == PROTO_OK) handle_device_message(h, &o->msg);

    switch (o->phase) {
    case H_HELLO:
        if (now - o->last_hello_us >= 250000u) send_hello(h);
        break;
    case H_ARMING:
        if (now - o->last_state_us > 500000u) {
            detect(h, D_STATE_TIMEOUT);
            start_handshake(h);
        } else if (now - o->last_arm_us >= 250000u) {
            detect(h, D_ARM_RETRY);
            send_arm(h);
        }
        break;
    case H_OPERATING:
        if (now - o->last_state_us > o->state_timeout_us) {
            detect(h, D_STATE_TIMEOUT);
            start_handshake(h);
        }
        break;
    default: break;
    }
    if ((o->phase == H_ARMING || o->phase == H_OPERATING) && now - o->last_cmd_us >= o->period_us) send_command(h);
}

/* ---- the harness's checks -------------------------------------------------------------------------------------- */

static harness H;

static void tap_command(harness *h) {
    h->last_intact_cmd_us = h->board.now_us;
    h->link_down = 0;
}

static void b_on_command_applied(void *ctx, uint32_t seq, const proto_command *command) {
    harness *h = ((board *) ctx)->h;
    host *o = &h->host;
    proto_message m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_COMMAND;
    m.seq = seq;
    m.u.command = *command;
    uint8_t packet[PROTO_MAX_PACKET];
    proto_pack(&m, packet);
    h->applied++;
    if (o->sent_seq[seq % SENT_RING] != seq
        || memcmp(sent_slot(o, seq), packet + PROTO_HEADER_BYTES, PROTO_COMMAND_LEN) != 0)
        h->corrupt_applied++;
    uint32_t index = seq - o->seq0;
    if (index < APPLIED_BITS) {
        if (h->applied_bits[index / 8] & (1u << (index % 8))) h->dup_applied++;
        else if (h->have_applied && (int32_t) (seq - h->last_applied_seq) <= 0) h->stale_applied++;
        h->applied_bits[index / 8] |= (uint8_t) (1u << (index % 8));
    } else {
        h->corrupt_applied++; /* a seq the host never used */
    }
    if (o->sent_session[seq % SENT_RING] != h->fw.session) h->other_session_applied++;
    h->have_applied = 1;
    h->last_applied_seq = seq;
    h->t_ref_us = h->board.now_us;
    h->t_ref_sent_us = o->sent_time_us[seq % SENT_RING];
}

static void loss(harness *h, uint64_t t_trip) {
    h->losses++;
    if (debug)
        printf("loss: ref %.3f trip %.3f host phase %d last_state %.3f last_cmd %.3f last_arm %.3f spares %d\n",
               h->t_ref_us / 1e6, t_trip / 1e6, h->host.phase, h->host.last_state_us / 1e6, h->host.last_cmd_us / 1e6,
               h->host.last_arm_us / 1e6, h->spares);
    for (int i = 0; i < h->spares; i++) {
        if (h->spare_detect[i] >= h->t_ref_sent_us) {
            h->detected++;
            memmove(&h->spare_detect[i], &h->spare_detect[i + 1], sizeof(uint64_t) * (h->spares - i - 1));
            h->spares--;
            return;
        }
    }
    if (h->pending == MAX_PENDING) return; /* cannot happen: losses need re-arming in between */
    h->pending_loss_ref[h->pending] = h->t_ref_sent_us;
    h->pending_loss_trip[h->pending] = t_trip;
    h->pending++;
}

/* After each fw_tick: the watchdog as protocol.md section 5 states it, observed from outside. */
static void check_device(harness *h) {
    const fw_t *fw = &h->fw;
    uint64_t now = h->board.now_us;
    const uint64_t wd = fw->config.watchdog_us;
    int trip = fw->counters.watchdog_trips != h->prev_trips;
    h->prev_trips = fw->counters.watchdog_trips;
    if (fw->armed && !h->prev_armed) {
        h->t_ref_us = now; /* armed this tick (applied commands set t_ref themselves) */
        h->t_ref_sent_us = h->host.last_arm_us;
        h->loss_open = 0;
    }
    if (h->prev_armed && fw->armed && !h->loss_open && now - h->t_ref_us > wd + FW_TICK_US) {
        h->undamped++; /* still armed, no command for longer than the watchdog and a tick */
        h->loss_open = 1;
        loss(h, now);
    }
    if (trip) {
        if (!h->prev_armed) h->trips_disarmed++;
        else if (!h->loss_open) {
            uint64_t gap = now - h->t_ref_us;
            if (gap < wd) h->early_trips++;
            if (gap > wd + FW_TICK_US) h->undamped++;
            loss(h, now);
        }
    }
    if (!fw->armed) { /* disarmed: the damping law, exactly */
        for (int j = 0; j < PROTO_JOINTS; j++) {
            float expect = -(fw->config.kd_damp * h->board.dq[j]);
            if (fabsf(h->board.tau[j] - expect) > 1e-6f) {
                h->damp_mismatch++;
                break;
            }
        }
    }
    h->prev_armed = fw->armed;
    /* link losses, for the table */
    if (!h->link_down && (h->host.phase == H_ARMING || h->host.phase == H_OPERATING || h->host.phase == H_GONE)
        && now - h->last_intact_cmd_us > 100000u && h->host.commands_sent > 0) {
        h->link_down = 1;
        h->link_losses++;
    }
}

/* ---- one configuration ----------------------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *faults;
    uint32_t period_us;
} config;

static void run_config(const config *c, uint64_t commands, uint64_t seed) {
    harness *h = &H;
    memset(h, 0, sizeof *h);
    faults_spec spec;
    char why[256];
    check_begin(c->name);
    if (!CHECK(faults_parse(c->faults, &spec, why, sizeof why) == 0)) {
        printf("  %s\n", why);
        check_end();
        return;
    }
    faults_init(&h->faults, &spec, seed);
    board *b = &h->board;
    b->faults = &h->faults;
    b->h = h;
    b->now_us = 5000000u; /* the device has been up a while */
    proto_receiver_init(&b->tap);
    proto_receiver_init(&b->tap_out);
    for (int j = 0; j < PROTO_JOINTS; j++) {
        b->q[j] = STAND[j % 3];
        b->dq[j] = 0.05f * (float) (j + 1) - 0.3f + 0.01f; /* non-zero, distinct: damping is recognisable */
    }
    fw_hal hal;
    memset(&hal, 0, sizeof hal);
    hal.ctx = b;
    hal.micros = b_micros;
    hal.read_joints = b_read_joints;
    hal.read_imu = b_read_imu;
    hal.read_feet = b_read_feet;
    hal.write_torques = b_write_torques;
    hal.serial_read = b_serial_read;
    hal.serial_write = b_serial_write;
    hal.serial_write_space = b_serial_write_space;
    hal.on_command_applied = b_on_command_applied;
    fw_config cfg;
    fw_config_a1(&cfg, "A1-test");
    if (!CHECK(fw_init(&h->fw, &cfg, &hal) == 0)) {
        check_end();
        return;
    }
    host *o = &h->host;
    sitl_rng_seed(&o->rng, seed ^ 0x5eed);
    o->period_us = c->period_us;
    o->state_timeout_us = 3 * c->period_us > 100000u ? 3 * c->period_us : 100000u;
    o->seq0 = o->seq = 0xFFFFFFFFu - (uint32_t) (commands / 2); /* wraps through 0 mid-run */
    proto_receiver_init(&o->rx);
    o->phase = H_GONE;

    uint64_t ticks = 0;
    while (o->commands_sent < commands) {
        host_tick(h);
        fw_tick(&h->fw);
        check_device(h);
        b->now_us += FW_TICK_US;
        ticks++;
    }
    /* Losses too close to the end to have been detected in their window are not judged. */
    uint64_t end = b->now_us;
    for (int i = 0; i < h->pending; i++)
        if (h->pending_loss_trip[i] + DETECT_WINDOW_US > end) h->unjudged++;
        else if (debug)
            printf("undetected loss: ref %.3f trip %.3f\n", h->pending_loss_ref[i] / 1e6,
                   h->pending_loss_trip[i] / 1e6);
    uint64_t judged = h->losses - h->unjudged;
    h->false_alarms += (uint64_t) h->spares;

    uint64_t inj[FAULT_KINDS];
    for (int k = 0; k < FAULT_KINDS; k++) inj[k] = h->faults.lane[0].injected[k] + h->faults.lane[1].injected[k];
    const fw_counters *fc = &h->fw.counters;
    printf("| %-22s | %4s | %7llu | %5llu %5llu %5llu %5llu %5llu %4llu | %7llu | %3llu %3llu %3llu | %5llu | %5llu | "
           "%5llu | %3llu | %5llu | %5llu | %6.0f |\n",
           c->name, c->period_us == 1000 ? "1kHz" : "20Hz", (unsigned long long) o->commands_sent,
           (unsigned long long) inj[FAULT_DROP], (unsigned long long) inj[FAULT_CORRUPT],
           (unsigned long long) inj[FAULT_DUPLICATE], (unsigned long long) inj[FAULT_DELAY],
           (unsigned long long) inj[FAULT_REORDER], (unsigned long long) h->faults.unplugs,
           (unsigned long long) h->applied, (unsigned long long) h->corrupt_applied,
           (unsigned long long) h->dup_applied, (unsigned long long) h->stale_applied,
           (unsigned long long) h->link_losses, (unsigned long long) fc->watchdog_trips,
           (unsigned long long) judged, (unsigned long long) h->undamped, (unsigned long long) h->detected,
           (unsigned long long) h->false_alarms, (double) ticks / 1000.0);
    if (h->other_session_applied)
        printf("  %llu commands applied in a later session than the one they were sent in (must be 0)\n",
               (unsigned long long) h->other_session_applied);
    fflush(stdout);

    CHECK(o->commands_sent >= commands);
    CHECK_EQ_U(h->applied, fc->commands_applied);
    CHECK_EQ_U(h->corrupt_applied, 0);
    CHECK_EQ_U(h->dup_applied, 0);
    CHECK_EQ_U(h->stale_applied, 0);
    CHECK_EQ_U(h->other_session_applied, 0); /* a command of an earlier session is stale in the next one */
    CHECK_EQ_U(h->undamped, 0);
    CHECK_EQ_U(h->early_trips, 0);
    CHECK_EQ_U(h->damp_mismatch, 0);
    CHECK_EQ_U(h->trips_disarmed, 0);
    CHECK_EQ_U(h->detected, judged);
    CHECK_EQ_U(h->losses, fc->watchdog_trips); /* every loss was the watchdog's, every trip a loss */
    CHECK_EQ_U(b->watchdog_faults_sent, fc->watchdog_trips); /* one Fault WATCHDOG on the wire per trip */
    CHECK(h->applied > commands / 2);          /* the link did carry commands */
    if (!faults_active(&spec)) {
        CHECK_EQ_U(h->losses, 0);
        CHECK_EQ_U(fc->rx_bad, 0);
        CHECK_EQ_U(h->host.detections, 0);
        CHECK(h->applied + 2 >= commands); /* all but the one or two sent before the Arm landed */
    }
    check_end();
}

/* ---- the injector on its own ----------------------------------------------------------------------------------- */

static faults_t F;

/* A random valid frame: a packet of n bytes (with zeros) COBS-encoded, plus the delimiter. */
static size_t random_frame(sitl_rng *r, uint8_t *wire, size_t n) {
    uint8_t packet[PROTO_MAX_PACKET];
    for (size_t i = 0; i < n; i++) packet[i] = (uint8_t) (sitl_rng_below(r, 4) == 0 ? 0 : sitl_rng_next(r));
    size_t w = proto_cobs_encode(packet, n, wire);
    wire[w++] = 0;
    return w;
}

static size_t pull_all(faults_t *f, int dir, uint8_t *out, size_t max, uint64_t now) {
    return faults_pull(f, dir, out, max, now);
}

static void test_parse(void) {
    faults_spec s;
    char why[256];
    CHECK(faults_parse("drop=0.01,corrupt=0.001,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300", &s,
                       why, sizeof why) == 0);
    CHECK_EQ_F(s.rate[FAULT_DROP], 0.01f);
    CHECK(s.rate[FAULT_CORRUPT] == 0.001 && s.rate[FAULT_UNPLUG] == 0.0005);
    CHECK_EQ_U(s.delay_ms, 20);
    CHECK_EQ_U(s.unplug_ms, 300);
    char text[256];
    faults_format(&s, text, sizeof text);
    CHECK(!strcmp(text, "drop=0.01,corrupt=0.001,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300"));
    CHECK(faults_parse("none", &s, why, sizeof why) == 0 && !faults_active(&s));
    CHECK(faults_parse("", &s, why, sizeof why) == 0 && !faults_active(&s));
    const char *bad[] = {"drop=2",          "drop=-0.1",   "drop",        "drop=",         "flip=0.1",
                         "delay=0.1",       "delay=0.1:0", "delay=0.1:x", "drop=0.1:5",    "drop=0.1,,corrupt=0.1",
                         "drop=0.1,drop=0.2", "unplug=0.1:-3", "drop=nan",  "drop=0.1,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = 0;
        if (!CHECK(faults_parse(bad[i], &s, why, sizeof why) != 0 && why[0])) printf("  accepted '%s'\n", bad[i]);
    }
}

/* corrupt=1: every frame comes out once, same length, exactly one bit different, no 0x00 inside. */
static void test_corrupt(void) {
    faults_spec s;
    char why[128];
    faults_parse("corrupt=1", &s, why, sizeof why);
    faults_init(&F, &s, 7);
    sitl_rng r;
    sitl_rng_seed(&r, 3);
    uint8_t wire[PROTO_MAX_WIRE], out[4 * PROTO_MAX_WIRE];
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        size_t n;
        if (i % 4 == 0) { /* all bytes single-bit values: a flip of that bit would make a 0x00 */
            n = 1 + sitl_rng_below(&r, 40);
            for (size_t k = 0; k < n; k++) wire[k] = (uint8_t) (1u << sitl_rng_below(&r, 8));
            wire[n++] = 0;
        } else {
            n = random_frame(&r, wire, 12 + sitl_rng_below(&r, 281));
        }
        faults_push(&F, i % 2, wire, n, (uint64_t) i * 1000);
        size_t m = pull_all(&F, i % 2, out, sizeof out, (uint64_t) i * 1000);
        int bits = 0, zeros = 0;
        if (m == n) {
            for (size_t k = 0; k < n; k++) bits += __builtin_popcount((unsigned) (wire[k] ^ out[k]));
            for (size_t k = 0; k + 1 < n; k++) zeros += out[k] == 0;
        }
        if (m != n || bits != 1 || zeros != 0 || out[n - 1] != 0) bad++;
    }
    CHECK_EQ_I(bad, 0);
    CHECK_EQ_U(F.lane[0].injected[FAULT_CORRUPT] + F.lane[1].injected[FAULT_CORRUPT], 20000);
}

static void test_drop_duplicate(void) {
    faults_spec s;
    char why[128];
    uint8_t frame[] = {3, 1, 2, 0}, out[64];
    faults_parse("drop=1", &s, why, sizeof why);
    faults_init(&F, &s, 1);
    faults_push(&F, FAULTS_TO_DEVICE, frame, sizeof frame, 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_DEVICE, out, sizeof out, 0), 0);
    /* an empty frame (a flush byte) is passed as it is */
    faults_push(&F, FAULTS_TO_DEVICE, frame + 3, 1, 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_DEVICE, out, sizeof out, 0), 1);
    faults_parse("duplicate=1", &s, why, sizeof why);
    faults_init(&F, &s, 1);
    faults_push(&F, FAULTS_TO_HOST, frame, 2, 0); /* a frame split across pushes */
    faults_push(&F, FAULTS_TO_HOST, frame + 2, 2, 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_HOST, out, sizeof out, 0), 8);
    CHECK(!memcmp(out, frame, 4) && !memcmp(out + 4, frame, 4));
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_DEVICE, out, sizeof out, 0), 0); /* the other lane saw nothing */
}

/* delay: the frame arrives exactly delay_ms late; later frames overtake it. */
static void test_delay(void) {
    faults_spec s;
    char why[128];
    uint8_t a[] = {2, 'a', 0}, b[] = {2, 'b', 0}, out[64];
    faults_parse("delay=1:20", &s, why, sizeof why);
    faults_init(&F, &s, 1);
    faults_push(&F, FAULTS_TO_DEVICE, a, 3, 1000);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_DEVICE, out, sizeof out, 20999), 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_DEVICE, out, sizeof out, 21000), 3);
    /* half the frames delayed: b (not delayed) overtakes a (delayed) */
    faults_parse("delay=0.5:20", &s, why, sizeof why);
    int overtaken = 0;
    for (uint64_t seed = 0; seed < 50; seed++) {
        faults_init(&F, &s, seed);
        faults_push(&F, FAULTS_TO_DEVICE, a, 3, 0);
        faults_push(&F, FAULTS_TO_DEVICE, b, 3, 1000);
        size_t n = faults_pull(&F, FAULTS_TO_DEVICE, out, sizeof out, 1000);
        n += faults_pull(&F, FAULTS_TO_DEVICE, out + n, sizeof out - n, 50000);
        CHECK_EQ_U(n, 6);
        if (out[1] == 'b') overtaken++;
    }
    CHECK(overtaken > 0 && overtaken < 50);
}

/* reorder=1: A B C D comes out B A D C; a lone held frame comes out after FAULTS_REORDER_HOLD_US. */
static void test_reorder(void) {
    faults_spec s;
    char why[128];
    uint8_t f[4][3] = {{2, 'A', 0}, {2, 'B', 0}, {2, 'C', 0}, {2, 'D', 0}}, out[64];
    faults_parse("reorder=1", &s, why, sizeof why);
    faults_init(&F, &s, 1);
    for (int i = 0; i < 4; i++) faults_push(&F, FAULTS_TO_HOST, f[i], 3, 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_HOST, out, sizeof out, 0), 12);
    CHECK(out[1] == 'B' && out[4] == 'A' && out[7] == 'D' && out[10] == 'C');
    faults_push(&F, FAULTS_TO_HOST, f[0], 3, 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_HOST, out, sizeof out, FAULTS_REORDER_HOLD_US - 1), 0);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_HOST, out, sizeof out, FAULTS_REORDER_HOLD_US), 3);
}

/* unplug: both lanes lose everything for unplug_ms, then carry bytes again. */
static void test_unplug(void) {
    faults_spec s;
    char why[128];
    uint8_t a[] = {2, 'a', 0}, out[64];
    faults_parse("unplug=1:300", &s, why, sizeof why);
    faults_init(&F, &s, 1);
    faults_push(&F, FAULTS_TO_HOST, a, 2, 0); /* a partial frame in the other lane is lost too */
    faults_push(&F, FAULTS_TO_DEVICE, a, 3, 1000);
    CHECK(faults_unplugged(&F));
    CHECK_EQ_U(F.unplugs, 1);
    faults_push(&F, FAULTS_TO_HOST, a + 2, 1, 2000);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_HOST, out, sizeof out, 2000), 0);
    CHECK(faults_update(&F, 300999) == 1);
    CHECK(faults_update(&F, 301000) == 0);
    s.rate[FAULT_UNPLUG] = 0;
    F.spec = s;
    faults_push(&F, FAULTS_TO_HOST, a, 3, 301000);
    CHECK_EQ_U(faults_pull(&F, FAULTS_TO_HOST, out, sizeof out, 301000), 3);
}

/* Same seed, same faults. */
static void test_deterministic(void) {
    faults_spec s;
    char why[128];
    faults_parse("drop=0.1,corrupt=0.1,duplicate=0.1,delay=0.1:5,reorder=0.1", &s, why, sizeof why);
    static uint8_t out1[1 << 16], out2[1 << 16];
    size_t n[2] = {0, 0};
    for (int run = 0; run < 2; run++) {
        faults_init(&F, &s, 42);
        sitl_rng r;
        sitl_rng_seed(&r, 9);
        uint8_t wire[PROTO_MAX_WIRE];
        uint8_t *out = run ? out2 : out1;
        for (int i = 0; i < 200; i++) {
            size_t w = random_frame(&r, wire, 20);
            faults_push(&F, FAULTS_TO_DEVICE, wire, w, (uint64_t) i * 1000);
            n[run] += faults_pull(&F, FAULTS_TO_DEVICE, out + n[run], sizeof out1 - n[run], (uint64_t) i * 1000);
        }
        n[run] += faults_pull(&F, FAULTS_TO_DEVICE, out + n[run], sizeof out1 - n[run], 10000000);
    }
    CHECK(n[0] == n[1] && n[0] > 0 && !memcmp(out1, out2, n[0]));
}

int main(int argc, char **argv) {
    uint64_t commands = 100000;
    if (argc > 1) commands = strtoull(argv[1], NULL, 10); /* a quicker run: test_faults 10000 */
    clock_t t0 = clock();
    debug = getenv("TF_DEBUG") != NULL;
    RUN(test_parse);
    RUN(test_corrupt);
    RUN(test_drop_duplicate);
    RUN(test_delay);
    RUN(test_reorder);
    RUN(test_unplug);
    RUN(test_deterministic);

    static const config configs[] = {
        {"none", "none", 1000},
        {"none", "none", 50000},
        {"1% each", "drop=0.01,corrupt=0.01,duplicate=0.01,delay=0.01:20,reorder=0.01", 1000},
        {"1% each", "drop=0.01,corrupt=0.01,duplicate=0.01,delay=0.01:20,reorder=0.01", 50000},
        {"10% each", "drop=0.1,corrupt=0.1,duplicate=0.1,delay=0.1:20,reorder=0.1", 1000},
        {"10% each", "drop=0.1,corrupt=0.1,duplicate=0.1,delay=0.1:20,reorder=0.1", 50000},
        {"1% each + unplug", "drop=0.01,corrupt=0.01,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300",
         1000},
        {"1% each + unplug", "drop=0.01,corrupt=0.01,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300",
         50000},
    };
    printf("\nfault harness: %llu commands per configuration; faults summed over both directions; losses = armed "
           "and no command applied for > 100 ms\n",
           (unsigned long long) commands);
    printf("| %-22s | %4s | %7s | %5s %5s %5s %5s %5s %4s | %7s | %3s %3s %3s | %5s | %5s | %5s | %3s | %5s | %5s | "
           "%6s |\n",
           "faults", "rate", "sent", "drop", "corr", "dup", "delay", "reord", "unpl", "applied", "bad", "dup",
           "old", "links", "wdog", "loss", "und", "seen", "false", "sim s");
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) run_config(&configs[i], commands, 1000 + i);
    printf("(bad/dup/old: corrupt, duplicate and stale commands applied; links: Commands not reaching the device "
           "intact for > 100 ms; wdog: watchdog trips; und: losses without damping within 100 ms + 1 tick; seen: "
           "losses the host detected; false: host detections without a loss)\n");
    printf("fault harness: %.1f s of CPU\n", (double) (clock() - t0) / CLOCKS_PER_SEC);
    return check_summary();
}
