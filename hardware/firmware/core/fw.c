/*
 * fw.c: the firmware core of protocol.md sections 4-6 (see fw.h). Portable C99: no malloc, no OS, no stdio, no
 * mutable globals; all state is in the fw_t the caller owns and the board is reached only through fw_hal.
 *
 * One fw_tick (every 1 ms), in this order:
 *   1. read the clock and every sensor;
 *   2. raise latched faults from the sensors and the e-stop input (each raised fault disarms and sends one Fault);
 *   3. drain the serial port through the receiver and handle each good packet as it completes
 *      (Hello, Command, Arm, Estop, Heartbeat);
 *   4. the watchdog (armed and no valid Command applied for more than watchdog_us);
 *   5. the control law of the mode in force, limits, write_torques;
 *   6. State (in a session, every state period, when the transmit buffer takes the whole frame) and Heartbeat.
 */
#include "fw.h"

#include <string.h>

#define RX_CHUNK 64            /* bytes read from the HAL at a time */
#define RX_MAX_PER_TICK 4096   /* at most this many bytes handled per tick (4 MB/s); the rest waits in the HAL */

/* Finite (not NaN, not infinite), from the bits: immune to -ffast-math and needs no libm. */
static int finite_f(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return ((bits >> 23) & 0xFFu) != 0xFFu;
}

/* ---- configuration -------------------------------------------------------------------------------------------- */

void fw_config_a1(fw_config *config, const char *robot_name) {
    static const float q_min[3] = {-0.802851f, -1.0472f, -2.69653f};  /* hip, thigh, calf */
    static const float q_max[3] = {0.802851f, 4.18879f, -0.916298f};
    const char *name = robot_name != NULL ? robot_name : "A1";
    int j;
    memset(config, 0, sizeof *config);
    for (j = 0; j < PROTO_JOINTS; j++) {
        config->q_min_rad[j] = q_min[j % 3];
        config->q_max_rad[j] = q_max[j % 3];
    }
    config->tau_max_Nm = 33.5f;
    config->kd_damp = 2.0f;
    config->max_target_offset_rad = 0.2f;
    config->joint_limit_margin_rad = 0.1f;
    config->kp_max = 500.0f;
    config->kd_max = 50.0f;
    config->temp_warn_c = 50.0f;
    config->temp_cut_c = 60.0f;
    config->temp_clear_c = 55.0f;
    config->watchdog_us = 100000u;
    config->heartbeat_period_us = 100000u;
    for (j = 0; j < (int)sizeof config->robot && name[j] != '\0'; j++)
        config->robot[j] = name[j];
}

int fw_config_check(const fw_config *c, const char **why) {
    const char *msg = NULL;
    int j;
    for (j = 0; j < PROTO_JOINTS && msg == NULL; j++)
        if (!finite_f(c->q_min_rad[j]) || !finite_f(c->q_max_rad[j]) || !(c->q_min_rad[j] < c->q_max_rad[j]))
            msg = "a joint range is not finite with q_min < q_max";
    if (msg != NULL) {
        /* reported below */
    } else if (!finite_f(c->tau_max_Nm) || !(c->tau_max_Nm > 0.0f)) {
        msg = "tau_max_Nm must be finite and > 0";
    } else if (!finite_f(c->kd_damp) || !(c->kd_damp > 0.0f)) {
        msg = "kd_damp must be finite and > 0";
    } else if (!finite_f(c->max_target_offset_rad) || !(c->max_target_offset_rad > 0.0f)) {
        msg = "max_target_offset_rad must be finite and > 0";
    } else if (!finite_f(c->joint_limit_margin_rad) || !(c->joint_limit_margin_rad >= 0.0f)) {
        msg = "joint_limit_margin_rad must be finite and >= 0";
    } else if (!finite_f(c->kp_max) || !(c->kp_max >= 0.0f) || !finite_f(c->kd_max) || !(c->kd_max >= 0.0f)) {
        msg = "kp_max and kd_max must be finite and >= 0";
    } else if (!finite_f(c->temp_warn_c) || !finite_f(c->temp_cut_c) || !finite_f(c->temp_clear_c)
               || !(c->temp_warn_c <= c->temp_cut_c) || !(c->temp_clear_c < c->temp_cut_c)) {
        msg = "temperatures must be finite with temp_warn_c <= temp_cut_c and temp_clear_c < temp_cut_c";
    } else if (c->watchdog_us < FW_TICK_US) {
        msg = "watchdog_us must be at least one tick (1000)";
    } else if (c->heartbeat_period_us < FW_TICK_US) {
        msg = "heartbeat_period_us must be at least one tick (1000)";
    }
    if (msg == NULL)
        return 0;
    if (why != NULL)
        *why = msg;
    return -1;
}

int fw_init(fw_t *fw, const fw_config *config, const fw_hal *hal) {
    if (fw == NULL || config == NULL || hal == NULL)
        return -1;
    if (fw_config_check(config, NULL) != 0)
        return -2;
    if (hal->micros == NULL || hal->read_joints == NULL || hal->read_imu == NULL || hal->read_feet == NULL
        || hal->write_torques == NULL || hal->serial_read == NULL || hal->serial_write == NULL
        || hal->serial_write_space == NULL)
        return -3;
    memset(fw, 0, sizeof *fw);
    fw->config = *config;
    fw->hal = *hal;
    proto_receiver_init(&fw->rx);
    fw->faults = PROTO_FAULT_RESET;
    fw->armed = 0;
    fw->mode = PROTO_MODE_DAMP;
    return 0;
}

/* ---- sending -------------------------------------------------------------------------------------------------- */

/* Frames fw->out with the next seq and writes it whole. Returns 1 when written, 0 when the transmit buffer could
   not take the whole frame (nothing written, seq not used) or the HAL took fewer bytes than it said it could. */
static int send_out(fw_t *fw) {
    size_t n;
    int space, written;
    fw->out.seq = fw->tx_seq;
    n = proto_encode(&fw->out, fw->wire);
    space = fw->hal.serial_write_space(fw->hal.ctx);
    if (n == 0 || space < 0 || (size_t)space < n)
        return 0;
    written = fw->hal.serial_write(fw->hal.ctx, fw->wire, (int)n);
    fw->tx_seq++;
    if (written != (int)n)
        return 0;
    fw->counters.tx_frames++;
    return 1;
}

static void send_or_count(fw_t *fw) {
    if (!send_out(fw))
        fw->counters.tx_dropped++;
}

static void send_fault(fw_t *fw, uint32_t fault, uint8_t joint, float value) {
    proto_fault *f = &fw->out.u.fault;
    memset(&fw->out, 0, sizeof fw->out);
    fw->out.type = PROTO_FAULT;
    f->fw_time_us = fw->now_us;
    f->fault = fault;
    f->faults = fw->faults;
    f->joint = joint;
    f->value = value;
    send_or_count(fw);
}

static void send_hello_ack(fw_t *fw, uint8_t status, uint32_t session, uint32_t period_us) {
    proto_hello_ack *a = &fw->out.u.hello_ack;
    memset(&fw->out, 0, sizeof fw->out);
    fw->out.type = PROTO_HELLO_ACK;
    a->protocol_version = (uint16_t)PROTO_VERSION;
    a->status = status;
    a->joints = PROTO_JOINTS;
    a->session = session;
    a->state_period_us = period_us;
    a->firmware_version = FW_VERSION;
    a->feet = PROTO_FEET;
    memcpy(a->robot, fw->config.robot, sizeof a->robot);
    send_or_count(fw);
}

static uint32_t temperature_warning(const fw_t *fw) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++)
        if (fw->temp_c[j] >= fw->config.temp_warn_c)
            return PROTO_STATUS_TEMPERATURE_WARNING;
    return 0;
}

static void send_state(fw_t *fw) {
    proto_state *s = &fw->out.u.state;
    memset(&fw->out, 0, sizeof fw->out);
    fw->out.type = PROTO_STATE;
    s->fw_time_us = fw->now_us;
    s->echo_host_time_us = fw->last_command_host_time_us;
    s->last_command_seq = fw->have_applied ? fw->last_applied_seq : 0u;
    s->faults = fw->faults;
    s->status = (fw->armed ? PROTO_STATUS_ARMED : 0u) | (fw->session_active ? PROTO_STATUS_SESSION : 0u)
                | fw->status_accum | temperature_warning(fw);
    s->mode = fw->mode;
    memcpy(s->quat, fw->quat, sizeof s->quat);
    memcpy(s->gyro, fw->gyro, sizeof s->gyro);
    memcpy(s->accel, fw->accel, sizeof s->accel);
    memcpy(s->q, fw->q, sizeof s->q);
    memcpy(s->dq, fw->dq, sizeof s->dq);
    memcpy(s->tau_est, fw->tau_est, sizeof s->tau_est);
    memcpy(s->temp_c, fw->temp_c, sizeof s->temp_c);
    memcpy(s->foot_force, fw->foot, sizeof s->foot_force);
    if (send_out(fw)) {
        fw->counters.states_sent++;
        fw->status_accum = 0; /* a skipped State's clipping is reported in the next one sent */
    } else {
        fw->counters.states_skipped++;
    }
}

static void send_heartbeat(fw_t *fw) {
    proto_heartbeat *h = &fw->out.u.heartbeat;
    memset(&fw->out, 0, sizeof fw->out);
    fw->out.type = PROTO_HEARTBEAT;
    h->time_us = fw->now_us;
    h->echo_time_us = fw->peer_heartbeat_time_us;
    h->rx_ok = fw->counters.rx_ok;
    h->rx_bad = fw->counters.rx_bad;
    h->commands_applied = fw->counters.commands_applied;
    h->commands_rejected = fw->counters.commands_rejected;
    send_or_count(fw);
}

/* ---- arming and faults ---------------------------------------------------------------------------------------- */

/* Disarmed, the motors damp; the command in force is forgotten, so a re-armed device damps until a new command. */
static void disarm(fw_t *fw) {
    fw->armed = 0;
    fw->mode = PROTO_MODE_DAMP;
}

/* Latches a fault and disarms; sends one Fault packet when the fault was not latched already. */
static void raise_fault(fw_t *fw, uint32_t fault, uint8_t joint, float value) {
    int newly = (fw->faults & fault) == 0;
    fw->faults |= fault;
    disarm(fw);
    if (newly)
        send_fault(fw, fault, joint, value);
}

/* The first non-finite sensor reading: 1 and its joint (0xFF for the IMU and feet) and value, or 0. */
static int find_bad_sensor(const fw_t *fw, uint8_t *joint, float *value) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++) {
        const float v[4] = {fw->q[j], fw->dq[j], fw->tau_est[j], fw->temp_c[j]};
        int k;
        for (k = 0; k < 4; k++)
            if (!finite_f(v[k])) {
                *joint = (uint8_t)j;
                *value = v[k];
                return 1;
            }
    }
    for (j = 0; j < 4; j++)
        if (!finite_f(fw->quat[j])) { *value = fw->quat[j]; *joint = 0xFF; return 1; }
    for (j = 0; j < 3; j++) {
        if (!finite_f(fw->gyro[j])) { *value = fw->gyro[j]; *joint = 0xFF; return 1; }
        if (!finite_f(fw->accel[j])) { *value = fw->accel[j]; *joint = 0xFF; return 1; }
    }
    for (j = 0; j < PROTO_FEET; j++)
        if (!finite_f(fw->foot[j])) { *value = fw->foot[j]; *joint = 0xFF; return 1; }
    return 0;
}

static int joints_within_range(const fw_t *fw) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++)
        if (!(fw->q[j] >= fw->config.q_min_rad[j] && fw->q[j] <= fw->config.q_max_rad[j]))
            return 0;
    return 1;
}

static int motors_below_clear(const fw_t *fw) {
    int j;
    for (j = 0; j < PROTO_JOINTS; j++)
        if (!(fw->temp_c[j] < fw->config.temp_clear_c))
            return 0;
    return 1;
}

static void check_faults(fw_t *fw) {
    const fw_config *c = &fw->config;
    uint8_t joint;
    float value;
    int j;
    if (fw->estop_input)
        raise_fault(fw, PROTO_FAULT_ESTOP, 0xFF, 0.0f);
    if (find_bad_sensor(fw, &joint, &value))
        raise_fault(fw, PROTO_FAULT_SENSOR, joint, value);
    for (j = 0; j < PROTO_JOINTS; j++)
        if (fw->q[j] < c->q_min_rad[j] - c->joint_limit_margin_rad
            || fw->q[j] > c->q_max_rad[j] + c->joint_limit_margin_rad) {
            raise_fault(fw, PROTO_FAULT_JOINT_LIMIT, (uint8_t)j, fw->q[j]);
            break;
        }
    for (j = 0; j < PROTO_JOINTS; j++)
        if (fw->temp_c[j] >= c->temp_cut_c) {
            raise_fault(fw, PROTO_FAULT_OVER_TEMPERATURE, (uint8_t)j, fw->temp_c[j]);
            break;
        }
}

/* ---- messages ------------------------------------------------------------------------------------------------- */

static void handle_hello(fw_t *fw, uint32_t seq, const proto_hello *h) {
    uint8_t status = PROTO_HELLO_ACCEPTED;
    if (h->protocol_version != PROTO_VERSION)
        status = PROTO_HELLO_VERSION_MISMATCH;
    else if (h->state_period_us < PROTO_MIN_STATE_PERIOD_US || h->state_period_us > PROTO_MAX_STATE_PERIOD_US)
        status = PROTO_HELLO_BAD_PERIOD;
    disarm(fw);
    if (status == PROTO_HELLO_ACCEPTED) {
        fw->session_active = 1;
        fw->session = h->session;
        fw->state_period_us = h->state_period_us;
        fw->have_applied = 0;
        fw->last_applied_seq = 0;
        fw->session_seq = seq; /* the host's seq runs on: anything sent before this Hello is older than it */
        fw->last_command_host_time_us = 0;
        fw->status_accum = 0;
        fw->last_state_us = fw->now_us; /* the first State one period after the HelloAck */
        send_hello_ack(fw, status, h->session, h->state_period_us);
    } else {
        /* A refused Hello ends any session: the device then ignores the host until an acceptable Hello. */
        fw->session_active = 0;
        fw->session = 0;
        fw->state_period_us = 0;
        send_hello_ack(fw, status, h->session, 0u);
    }
}

/* Every field within section 3's ranges and the device's limits (the command is rejected whole otherwise). */
static int command_valid(const fw_t *fw, const proto_command *m) {
    const fw_config *c = &fw->config;
    int j;
    if (m->mode > PROTO_MODE_RUN || m->flags != 0 || m->interp_us > PROTO_MAX_INTERP_US)
        return 0;
    for (j = 0; j < PROTO_JOINTS; j++) {
        if (!finite_f(m->q_target[j]) || !finite_f(m->kp[j]) || !finite_f(m->kd[j]) || !finite_f(m->tau_ff[j]))
            return 0;
        if (!(m->kp[j] >= 0.0f && m->kp[j] <= c->kp_max) || !(m->kd[j] >= 0.0f && m->kd[j] <= c->kd_max))
            return 0;
        if (!(m->tau_ff[j] >= -c->tau_max_Nm && m->tau_ff[j] <= c->tau_max_Nm))
            return 0;
    }
    return 1;
}

/* The run reference of joint j at time now (unclipped): the linear ramp of the command in force. */
static float ramp_ref(const fw_t *fw, int j, uint64_t now) {
    uint32_t span = fw->command.interp_us;
    uint64_t dt = now - fw->command_start_us;
    float start = fw->q_start[j], target = fw->command.q_target[j], frac;
    if (span == 0 || dt >= span)
        return target;
    frac = (float)(uint32_t)dt / (float)span; /* dt < span <= 1e6: both exact in a float */
    return start + (target - start) * frac;
}

static void reject(fw_t *fw, uint32_t *why) {
    (*why)++;
    fw->counters.commands_rejected++;
}

static void handle_command(fw_t *fw, uint32_t seq, const proto_command *m) {
    int j;
    if (!fw->session_active) {
        reject(fw, &fw->counters.rejected_no_session);
        return;
    }
    if (!command_valid(fw, m)) {
        reject(fw, &fw->counters.rejected_invalid);
        return;
    }
    /* Newer in serial-number arithmetic, (int32_t)(seq - last) > 0 written without a signed conversion, than the
       last applied command, or than the session's Hello before the first: a command delayed from an earlier session
       (the host's seq runs on across sessions) is stale, never the first of the new one. */
    {
        uint32_t diff = seq - (fw->have_applied ? fw->last_applied_seq : fw->session_seq);
        if (diff == 0 || diff >= 0x80000000u) {
            reject(fw, &fw->counters.rejected_stale);
            return;
        }
    }
    if (!fw->armed) {
        reject(fw, &fw->counters.rejected_disarmed);
        return;
    }
    if (m->mode == PROTO_MODE_RUN) {
        /* Ramp from the reference in use now (mid-ramp restart), or from the measured angles. */
        for (j = 0; j < PROTO_JOINTS; j++)
            fw->q_start[j] = fw->mode == PROTO_MODE_RUN ? ramp_ref(fw, j, fw->now_us) : fw->q[j];
        fw->command_start_us = fw->now_us;
    } else if (m->mode == PROTO_MODE_HOLD && fw->mode != PROTO_MODE_HOLD) {
        for (j = 0; j < PROTO_JOINTS; j++)
            fw->q_hold[j] = fw->q[j];
    }
    fw->command = *m;
    fw->mode = m->mode;
    fw->have_applied = 1;
    fw->last_applied_seq = seq;
    fw->last_command_host_time_us = m->host_time_us;
    fw->last_command_time_us = fw->now_us;
    fw->counters.commands_applied++;
    if (fw->hal.on_command_applied != NULL)
        fw->hal.on_command_applied(fw->hal.ctx, seq, &fw->command);
}

static void handle_arm(fw_t *fw, const proto_arm *a) {
    uint32_t ask;
    uint8_t joint;
    float value;
    if (!fw->session_active) {
        fw->counters.rejected_no_session++;
        return;
    }
    ask = a->clear_faults & fw->faults;
    if (ask & PROTO_FAULT_WATCHDOG)
        fw->faults &= ~PROTO_FAULT_WATCHDOG;
    if ((ask & PROTO_FAULT_ESTOP) && !fw->estop_input)
        fw->faults &= ~PROTO_FAULT_ESTOP;
    if ((ask & PROTO_FAULT_JOINT_LIMIT) && joints_within_range(fw))
        fw->faults &= ~PROTO_FAULT_JOINT_LIMIT;
    if ((ask & PROTO_FAULT_OVER_TEMPERATURE) && motors_below_clear(fw))
        fw->faults &= ~PROTO_FAULT_OVER_TEMPERATURE;
    if ((ask & PROTO_FAULT_SENSOR) && !find_bad_sensor(fw, &joint, &value))
        fw->faults &= ~PROTO_FAULT_SENSOR;
    if (ask & PROTO_FAULT_RESET)
        fw->faults &= ~PROTO_FAULT_RESET;
    if (fw->faults == 0 && !fw->armed) {
        fw->armed = 1;
        fw->mode = PROTO_MODE_DAMP;        /* damp until the first command */
        fw->last_command_time_us = fw->now_us; /* the watchdog counts from arming */
    }
}

static void handle_estop(fw_t *fw) {
    fw->counters.estops++;
    if (!fw->session_active)
        fw->counters.rejected_no_session++; /* counted as rejected (section 4), and still acted on */
    raise_fault(fw, PROTO_FAULT_ESTOP, 0xFF, 0.0f);
}

static void handle(fw_t *fw, const proto_message *m) {
    switch (m->type) {
    case PROTO_HELLO: handle_hello(fw, m->seq, &m->u.hello); break;
    case PROTO_COMMAND: handle_command(fw, m->seq, &m->u.command); break;
    case PROTO_ARM: handle_arm(fw, &m->u.arm); break;
    case PROTO_ESTOP: handle_estop(fw); break;
    case PROTO_HEARTBEAT: fw->peer_heartbeat_time_us = m->u.heartbeat.time_us; break;
    default: break; /* device-to-host types from the host: nothing to do */
    }
}

static void receive(fw_t *fw) {
    uint8_t buf[RX_CHUNK];
    int total = 0;
    while (total < RX_MAX_PER_TICK) {
        int n = fw->hal.serial_read(fw->hal.ctx, buf, RX_CHUNK), i;
        if (n <= 0)
            break;
        if (n > RX_CHUNK)
            n = RX_CHUNK;
        for (i = 0; i < n; i++) {
            int r = proto_receiver_feed(&fw->rx, buf[i], &fw->in);
            if (r == PROTO_OK) {
                fw->counters.rx_ok++;
                handle(fw, &fw->in);
            } else if (r > 0 && r < PROTO_ERR_COUNT) {
                fw->counters.rx_bad++;
                fw->counters.rx_errors[r]++;
            }
        }
        total += n;
    }
}

/* ---- control -------------------------------------------------------------------------------------------------- */

static float clip(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

static void control(fw_t *fw) {
    const fw_config *c = &fw->config;
    uint32_t accum = 0;
    int j;
    for (j = 0; j < PROTO_JOINTS; j++) {
        float tau;
        if (!fw->armed || fw->mode == PROTO_MODE_DAMP) {
            tau = -(c->kd_damp * fw->dq[j]);
        } else {
            float ref, limited, lo, hi, p, d, ff = 0.0f;
            if (fw->mode == PROTO_MODE_HOLD) {
                ref = fw->q_hold[j];
            } else {
                ref = ramp_ref(fw, j, fw->now_us);
                fw->q_ref[j] = ref;
                ff = fw->command.tau_ff[j];
            }
            /* To the joint's range, then to within max_target_offset of the measured angle. */
            lo = fw->q[j] - c->max_target_offset_rad;
            hi = fw->q[j] + c->max_target_offset_rad;
            limited = ref;
            if (limited < c->q_min_rad[j] || limited > c->q_max_rad[j] || limited < lo || limited > hi) {
                limited = clip(clip(limited, c->q_min_rad[j], c->q_max_rad[j]), lo, hi);
                accum |= PROTO_STATUS_TARGET_CLIPPED;
            }
            p = fw->command.kp[j] * (limited - fw->q[j]);
            d = fw->command.kd[j] * fw->dq[j];
            tau = p - d + ff;
        }
        if (!finite_f(tau)) {
            tau = 0.0f; /* a non-finite sensor: no torque (the SENSOR fault has disarmed) */
        } else if (tau > c->tau_max_Nm || tau < -c->tau_max_Nm) {
            tau = clip(tau, -c->tau_max_Nm, c->tau_max_Nm);
            accum |= PROTO_STATUS_TORQUE_SATURATED;
        }
        fw->tau[j] = tau;
    }
    fw->status_accum |= accum;
}

/* A periodic event is due once period_us (less half a tick, for a clock that jitters) has passed since the last. */
static int due(uint64_t now, uint64_t last, uint32_t period_us) {
    return now - last + FW_TICK_US / 2 >= period_us;
}

void fw_tick(fw_t *fw) {
    int first = fw->counters.ticks == 0;
    const fw_hal *hal = &fw->hal;

    fw->now_us = hal->micros(hal->ctx);
    fw->counters.ticks++;
    hal->read_joints(hal->ctx, fw->q, fw->dq, fw->tau_est, fw->temp_c);
    hal->read_imu(hal->ctx, fw->quat, fw->gyro, fw->accel);
    hal->read_feet(hal->ctx, fw->foot);
    fw->estop_input = hal->estop_pressed != NULL && hal->estop_pressed(hal->ctx) != 0;

    check_faults(fw);
    receive(fw);
    if (fw->armed && fw->now_us - fw->last_command_time_us > fw->config.watchdog_us) {
        fw->counters.watchdog_trips++;
        raise_fault(fw, PROTO_FAULT_WATCHDOG, 0xFF, 0.0f);
    }

    control(fw);
    hal->write_torques(hal->ctx, fw->tau);

    if (fw->session_active) {
        /* State period rounded to whole ticks: 1,000 .. 100,000 us. */
        uint32_t period = (fw->state_period_us + FW_TICK_US / 2) / FW_TICK_US * FW_TICK_US;
        if (due(fw->now_us, fw->last_state_us, period)) {
            fw->last_state_us = fw->now_us;
            send_state(fw);
        }
    }
    if (first || due(fw->now_us, fw->last_heartbeat_us, fw->config.heartbeat_period_us)) {
        fw->last_heartbeat_us = fw->now_us;
        send_heartbeat(fw);
    }
}
