/*
 * fw.h: the firmware core (protocol.md section 5): decodes commands, runs the joint PD law at 1 kHz with
 * interpolated targets, enforces the limits on the device, keeps the watchdog and the fault latches, and publishes
 * State. Portable C99: no malloc, no OS, all state in one fw_t the caller owns; the board is behind fw_hal.
 *
 *   fw_t fw;  fw_init(&fw, &config, &hal);   then every 1 ms:  fw_tick(&fw);
 */
#ifndef TROT_FW_H
#define TROT_FW_H

#include <stdint.h>
#include "hal.h"
#include "proto.h"

#define FW_VERSION ((0u << 16) | (1u << 8) | 0u) /* 0.1.0 */
#define FW_TICK_US 1000u /* fw_tick is called every 1 ms */

/* The robot's limits and the device's own constants. fw_config_a1() gives the A1's. */
typedef struct {
    float q_min_rad[PROTO_JOINTS], q_max_rad[PROTO_JOINTS]; /* joint ranges */
    float tau_max_Nm;          /* torque limit (33.5 on the A1 model) */
    float kd_damp;             /* damping gain of damp mode, > 0 (2.0) */
    float max_target_offset_rad; /* a target is clipped to within this of the measured angle (0.2) */
    float joint_limit_margin_rad; /* JOINT_LIMIT when a measured angle is this far outside its range (0.1) */
    float kp_max, kd_max;      /* command validation (500, 50) */
    float temp_warn_c, temp_cut_c, temp_clear_c; /* 50, 60, 55 */
    uint32_t watchdog_us;      /* 100000 */
    uint32_t heartbeat_period_us; /* 100000 */
    char robot[16];            /* HelloAck's robot name */
} fw_config;

/* The A1's limits: ranges hip +-0.802851, thigh -1.0472..4.18879, calf -2.69653..-0.916298 rad; 33.5 N m. */
void fw_config_a1(fw_config *config, const char *robot_name);
/* 0 when the configuration is usable; else a negative number and *why points at a message. */
int fw_config_check(const fw_config *config, const char **why);

/* Counters the core keeps (also sent in Heartbeat). */
typedef struct {
    uint32_t ticks;
    uint32_t rx_ok, rx_bad;
    uint32_t rx_errors[PROTO_ERR_COUNT];
    uint32_t commands_applied, commands_rejected; /* Commands; each rejected one also counts in one reason below */
    uint32_t rejected_stale;     /* seq not newer than the last applied (duplicates, reordered) */
    uint32_t rejected_invalid;   /* values out of range, unknown mode, flags */
    uint32_t rejected_no_session, rejected_disarmed; /* no_session also counts Arm and Estop packets (section 4.5) */
    uint32_t watchdog_trips, estops; /* estops: Estop packets received (each acted on) */
    uint32_t states_sent, states_skipped; /* skipped: transmit buffer full */
    uint32_t tx_frames;
    uint32_t tx_dropped;  /* frames other than State not sent whole: transmit buffer full, or a short write */
} fw_counters;

typedef struct {
    fw_config config;
    fw_hal hal;
    proto_receiver rx;
    proto_message in;     /* scratch for decoding */
    proto_message out;    /* scratch for encoding */
    uint8_t wire[PROTO_MAX_WIRE];

    /* session */
    int session_active;
    uint32_t session;
    uint32_t state_period_us;
    uint32_t tx_seq;
    int have_applied;
    uint32_t last_applied_seq;
    uint32_t session_seq;  /* seq of the Hello that started the session: a command must be newer than it */
    uint64_t last_command_host_time_us;
    uint64_t last_command_time_us; /* device clock when the last command was applied */

    /* arming, faults */
    int armed;
    uint32_t faults;      /* latched */
    uint32_t status_accum; /* TARGET_CLIPPED / TORQUE_SATURATED since the last State */

    /* control */
    uint8_t mode;         /* what the motors do now */
    proto_command command; /* the command in force */
    float q_start[PROTO_JOINTS], q_hold[PROTO_JOINTS];
    uint64_t command_start_us;
    float q_ref[PROTO_JOINTS];  /* last interpolated (unclipped) target, for a ramp that starts mid-ramp */
    float tau[PROTO_JOINTS];    /* torques written this tick */

    /* sensors read this tick */
    float q[PROTO_JOINTS], dq[PROTO_JOINTS], tau_est[PROTO_JOINTS], temp_c[PROTO_JOINTS];
    float quat[4], gyro[3], accel[3], foot[PROTO_FEET];
    int estop_input;      /* the board's e-stop input this tick (0 without one) */

    uint64_t now_us, last_state_us, last_heartbeat_us;
    uint64_t peer_heartbeat_time_us;
    fw_counters counters;
} fw_t;

/* Initialises the core (disarmed, fault RESET latched, no session). Returns 0, or a negative number for a bad
   configuration or a HAL without a required function. */
int fw_init(fw_t *fw, const fw_config *config, const fw_hal *hal);
/* One 1 ms step: sample sensors, read and handle every received byte, check faults and the watchdog, compute and
   write torques, send State / Heartbeat / Fault when due. */
void fw_tick(fw_t *fw);

#endif
