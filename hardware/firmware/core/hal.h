/*
 * hal.h: what the firmware core needs from a board. A port to a new board is one struct of these functions
 * (plus a 1 kHz timer or main loop calling fw_tick). Every function is called only from fw_tick, on one thread.
 * Units: rad, rad/s, N m, m/s^2, N, degrees Celsius, microseconds. Joint order: FR, FL, RR, RL x hip, thigh, calf.
 */
#ifndef TROT_HAL_H
#define TROT_HAL_H

#include <stdint.h>
#include "proto.h"

typedef struct {
    void *ctx; /* passed to every function: the board's (or the simulator's) own state */

    /* A monotonic microsecond clock. */
    uint64_t (*micros)(void *ctx);
    /* Joint encoders and motor drivers: angle, velocity, torque estimate and temperature per joint. */
    void (*read_joints)(void *ctx, float q_rad[PROTO_JOINTS], float dq_radps[PROTO_JOINTS],
                        float tau_est_Nm[PROTO_JOINTS], float temp_c[PROTO_JOINTS]);
    /* IMU: orientation quaternion (w, x, y, z), gyro (trunk frame) and accelerometer (specific force, trunk frame). */
    void (*read_imu)(void *ctx, float quat[4], float gyro_radps[3], float accel_mps2[3]);
    /* Foot contact force sensors. */
    void (*read_feet)(void *ctx, float force_N[PROTO_FEET]);
    /* Motor torques for the next millisecond (already limited by the core). */
    void (*write_torques)(void *ctx, const float tau_Nm[PROTO_JOINTS]);
    /* Non-blocking serial read: up to max bytes into buf; returns the number read (0 when none). */
    int (*serial_read)(void *ctx, uint8_t *buf, int max);
    /* Non-blocking serial write: returns the bytes accepted (0 .. n); the core writes whole frames only, so it
       asks serial_write_space first. */
    int (*serial_write)(void *ctx, const uint8_t *buf, int n);
    /* Bytes the transmit buffer can take now without blocking. */
    int (*serial_write_space)(void *ctx);
    /* The board's e-stop input: non-zero while pressed. May be NULL (no input). */
    int (*estop_pressed)(void *ctx);
    /* Called once per applied command with its seq and decoded fields (for logs and tests). May be NULL. */
    void (*on_command_applied)(void *ctx, uint32_t seq, const proto_command *command);
} fw_hal;

#endif
