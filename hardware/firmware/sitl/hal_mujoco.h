/*
 * hal_mujoco.h: the firmware core's HAL (hal.h) over a MuJoCo simulation of the Unitree A1, with the sensors the
 * real robot has (no ground-truth velocity), and over a serial line that runs through the fault injector to a
 * pseudo-terminal. sitl/README.md describes the sensor model.
 *
 * One tick of the emulator:  sitl_io_in(); fw_tick(); sitl_io_out(); sitl_step().
 */
#ifndef TROT_SITL_HAL_MUJOCO_H
#define TROT_SITL_HAL_MUJOCO_H

#include <mujoco/mujoco.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/hal.h"
#include "faults.h"
#include "pty.h"
#include "rng.h"

#define SITL_TX_BYTES 4096 /* the device's transmit buffer, as serial_write_space reports it */

/* Sensor model constants (sitl/README.md). */
#define SITL_ENCODER_LSB_RAD (6.283185307179586 / (32768.0 * 9.1)) /* 15-bit rotor encoder, 9.1:1 gear */
#define SITL_DQ_NOISE 0.02         /* rad/s */
#define SITL_TAU_NOISE 0.1         /* N m */
#define SITL_QUAT_NOISE 0.001      /* per component, before renormalising */
#define SITL_GYRO_NOISE 0.005      /* rad/s */
#define SITL_GYRO_BIAS 0.01        /* rad/s, per axis, uniform +-, drawn per run */
#define SITL_ACCEL_NOISE 0.05      /* m/s^2 */
#define SITL_ACCEL_BIAS 0.05       /* m/s^2, per axis, uniform +-, drawn per run */
#define SITL_FOOT_NOISE 1.0        /* N */
#define SITL_AMBIENT_C 25.0
#define SITL_THERMAL_TAU_S 300.0   /* time constant of the motor temperature */
#define SITL_THERMAL_C_PER_NM2 0.0624 /* steady-state rise per (N m)^2: 33.5 N m held for ever -> 95 C */

/* standing, lying (folded, on the belly), on the right side (rolled +90 degrees about the trunk's x axis: the left
   side up), on the left side (-90 degrees), on the back (180 degrees, legs folded up). */
enum sitl_start { SITL_START_STANDING, SITL_START_LYING, SITL_START_SIDE_RIGHT, SITL_START_SIDE_LEFT, SITL_START_BACK };

typedef struct {
    /* physics */
    mjModel *m;
    mjData *d;
    int qadr[PROTO_JOINTS], dadr[PROTO_JOINTS], act[PROTO_JOINTS], jid[PROTO_JOINTS];
    double stand_rad[PROTO_JOINTS];
    int s_quat, s_gyro, s_accel, s_touch[PROTO_FEET];
    uint64_t steps;          /* physics steps since the start: the device clock is steps x 1 ms */
    uint64_t unstable_steps; /* steps on which MuJoCo warned of an unstable simulation (and reset its state) */

    /* sensor model */
    sitl_rng rng;
    double gyro_bias[3], accel_bias[3];
    double temp_c[PROTO_JOINTS];
    float tau_cmd[PROTO_JOINTS]; /* the torques the firmware wrote for this step */
    int estop_input;             /* the board's e-stop input (pressed at shutdown) */

    /* serial line: host <-> injector <-> firmware */
    faults_t *faults;
    sitl_pty *pty;
    uint8_t tx[SITL_TX_BYTES]; /* taken from the injector, not yet accepted by the pty */
    size_t tx_length, tx_offset;
    uint64_t bytes_from_host, bytes_to_host, bytes_unheard; /* unheard: sent while no host had the port open */

    /* --log-commands */
    FILE *log;
    uint64_t commands_logged;
} sitl_robot;

/* Which of the model's joints and sensors are the robot's, and its standing pose: the A1's (sitl_robot_names_a1)
   unless the emulator is given a robot's (trot emulate --robot FILE passes them from the robot file). */
typedef struct {
    const char *joints[PROTO_JOINTS]; /* hinge joints FR, FL, RR, RL x hip, thigh, calf; each driven by one motor */
    const char *orientation, *gyro, *accelerometer; /* framequat, gyro, accelerometer sensors of the IMU */
    const char *feet[PROTO_FEET];                   /* touch sensors FR, FL, RR, RL */
    double stand_rad[PROTO_JOINTS];                 /* the standing start pose (the hardware standing pose) */
} sitl_robot_names;

/* The A1's names (hardware/a1/a1.xml) and its hardware standing pose (0.05, 0.9, -1.8 rad per leg). */
void sitl_robot_names_a1(sitl_robot_names *names);

/* Loads the model and finds the robot's joints, the motor driving each, and its sensors; lowers the height field out
   of the way (flat floor at z = 0). 0, or -1 with a message naming what is wrong. */
int sitl_robot_load(sitl_robot *r, const char *model_path, const sitl_robot_names *names, char *why, size_t why_size);
/* The model's range of joint j (hinge, in the names' order), rad; 0 when the joint has no range. */
int sitl_joint_range(const sitl_robot *r, int j, double *lo, double *hi);
/* Puts the robot in its start pose at rest on the floor and draws the per-run sensor biases from seed. */
int sitl_robot_start(sitl_robot *r, enum sitl_start start, uint64_t seed, char *why, size_t why_size);
/* The HAL of this robot (ctx = r). faults and pty must be set before fw_tick runs. */
void sitl_robot_hal(sitl_robot *r, fw_hal *hal);
/* Serial: bytes from the host into the injector; bytes from the injector to the host. */
void sitl_io_in(sitl_robot *r);
void sitl_io_out(sitl_robot *r);
/* One physics step (1 ms) with the torques the firmware wrote, and the motor thermal model. */
void sitl_step(sitl_robot *r);
/* The device clock, microseconds. */
static inline uint64_t sitl_now_us(const sitl_robot *r) { return r->steps * 1000u; }
/* Trunk height above the floor, metres (ground truth, for status lines only: never sent to the host). */
double sitl_trunk_height(const sitl_robot *r);
void sitl_robot_free(sitl_robot *r);

#endif
