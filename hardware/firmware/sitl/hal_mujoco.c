/*
 * hal_mujoco.c: the firmware core's HAL over MuJoCo and a pseudo-terminal (hal_mujoco.h).
 */
#include "hal_mujoco.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/proto.h"

static const char *const a1_joint_names[PROTO_JOINTS] = {
    "FR_hip_joint", "FR_thigh_joint", "FR_calf_joint", "FL_hip_joint", "FL_thigh_joint", "FL_calf_joint",
    "RR_hip_joint", "RR_thigh_joint", "RR_calf_joint", "RL_hip_joint", "RL_thigh_joint", "RL_calf_joint"};
static const char *const a1_touch_names[PROTO_FEET] = {"FR_touch", "FL_touch", "RR_touch", "RL_touch"};

void sitl_robot_names_a1(sitl_robot_names *names) {
    static const double stand[3] = {0.05, 0.9, -1.8}; /* the hardware standing pose (FACTS 2 and 8) */
    for (int j = 0; j < PROTO_JOINTS; j++) {
        names->joints[j] = a1_joint_names[j];
        names->stand_rad[j] = stand[j % 3];
    }
    for (int f = 0; f < PROTO_FEET; f++) names->feet[f] = a1_touch_names[f];
    names->orientation = "orientation";
    names->gyro = "gyro";
    names->accelerometer = "accelerometer";
}

int sitl_joint_range(const sitl_robot *r, int j, double *lo, double *hi) {
    int id = r->jid[j];
    if (!r->m->jnt_limited[id]) return 0;
    *lo = r->m->jnt_range[2 * id];
    *hi = r->m->jnt_range[2 * id + 1];
    return 1;
}

/* ---- loading ---------------------------------------------------------------------------------------------- */

static int sensor_of(const mjModel *m, const char *name, int type, int dim, char *why, size_t why_size) {
    int id = mj_name2id(m, mjOBJ_SENSOR, name);
    if (id < 0) {
        snprintf(why, why_size, "the model has no sensor named '%s' (the emulator needs the IMU's orientation, "
                 "gyro and accelerometer and a touch sensor per foot; trot emulate --robot FILE names them)", name);
        return -1;
    }
    if (m->sensor_type[id] != type || m->sensor_dim[id] != dim) {
        snprintf(why, why_size, "the model's sensor '%s' is not of the kind the emulator expects", name);
        return -1;
    }
    return m->sensor_adr[id];
}

int sitl_robot_load(sitl_robot *r, const char *model_path, const sitl_robot_names *names, char *why,
                    size_t why_size) {
    char error[1000] = "";
    FILE *probe = fopen(model_path, "r");
    if (!probe) {
        snprintf(why, why_size, "cannot read the model file %s: %s (the A1's is hardware/a1/a1.xml)", model_path,
                 strerror(errno));
        return -1;
    }
    fclose(probe);
    r->m = mj_loadXML(model_path, NULL, error, sizeof error);
    if (!r->m) {
        size_t n = strlen(error);
        while (n > 0 && (error[n - 1] == '\n' || error[n - 1] == ' ')) error[--n] = 0;
        for (size_t i = 0; i < n; i++)
            if (error[i] == '\n') error[i] = ' ';
        snprintf(why, why_size, "cannot load the model %s: %s", model_path, error[0] ? error : "unknown error");
        return -1;
    }
    const mjModel *m = r->m;
    if (fabs(m->opt.timestep - 0.001) > 1e-9) {
        snprintf(why, why_size, "the model %s has a timestep of %g s; the emulator runs 1 ms of physics per 1 ms "
                 "tick of the firmware and needs <option timestep=\"0.001\"/>", model_path, m->opt.timestep);
        return -1;
    }
    for (int j = 0; j < PROTO_JOINTS; j++) {
        int jid = mj_name2id(m, mjOBJ_JOINT, names->joints[j]);
        if (jid < 0 || m->jnt_type[jid] != mjJNT_HINGE) {
            snprintf(why, why_size, "the model has no hinge joint named '%s' (the emulator needs the robot's 12, "
                     "FR, FL, RR, RL x hip, thigh, calf; trot emulate --robot FILE names them)", names->joints[j]);
            return -1;
        }
        r->jid[j] = jid;
        r->qadr[j] = m->jnt_qposadr[jid];
        r->dadr[j] = m->jnt_dofadr[jid];
        r->stand_rad[j] = names->stand_rad[j];
        int aid = -1, drivers = 0;
        for (int a = 0; a < m->nu; a++)
            if (m->actuator_trntype[a] == mjTRN_JOINT && m->actuator_trnid[2 * a] == jid) {
                aid = a;
                drivers++;
            }
        if (drivers != 1) {
            snprintf(why, why_size, "joint %s is driven by %d motors; the emulator needs exactly one (a torque motor)",
                     names->joints[j], drivers);
            return -1;
        }
        r->act[j] = aid;
    }
    if (m->nq < 7 || m->jnt_type[0] != mjJNT_FREE) {
        snprintf(why, why_size, "the model's first joint is not the trunk's free joint");
        return -1;
    }
    if ((r->s_quat = sensor_of(m, names->orientation, mjSENS_FRAMEQUAT, 4, why, why_size)) < 0) return -1;
    if ((r->s_gyro = sensor_of(m, names->gyro, mjSENS_GYRO, 3, why, why_size)) < 0) return -1;
    if ((r->s_accel = sensor_of(m, names->accelerometer, mjSENS_ACCELEROMETER, 3, why, why_size)) < 0) return -1;
    for (int f = 0; f < PROTO_FEET; f++)
        if ((r->s_touch[f] = sensor_of(m, names->feet[f], mjSENS_TOUCH, 1, why, why_size)) < 0) return -1;
    /* Flat ground: the height field out of the way below a plane at z = 0, as the walking task does on flat
       terrain. */
    int terrain = mj_name2id(m, mjOBJ_GEOM, "terrain");
    int floor = mj_name2id(m, mjOBJ_GEOM, "floor");
    if (floor < 0) {
        snprintf(why, why_size, "the model has no geom named 'floor' (the flat ground plane)");
        return -1;
    }
    if (terrain >= 0) {
        /* Lowered, and out of collision checking: its bounding box (4 m of elevation range) still reaches the
           robot from z = -1, and testing every geom against it every step costs 2.7 times the rest of a step. */
        r->m->geom_pos[3 * terrain + 2] = -1.0;
        r->m->geom_contype[terrain] = r->m->geom_conaffinity[terrain] = 0;
    }
    r->m->geom_pos[3 * floor + 2] = 0.0;
    r->d = mj_makeData(m);
    if (!r->d) {
        snprintf(why, why_size, "cannot allocate MuJoCo's data for %s", model_path);
        return -1;
    }
    return 0;
}

void sitl_robot_free(sitl_robot *r) {
    if (r->d) mj_deleteData(r->d);
    if (r->m) mj_deleteModel(r->m);
    r->d = NULL;
    r->m = NULL;
}

/* ---- start pose ------------------------------------------------------------------------------------------- */

static int touching(const mjModel *m, mjData *d, double z) {
    d->qpos[2] = z;
    mj_forward(m, d);
    return d->ncon > 0;
}

int sitl_robot_start(sitl_robot *r, enum sitl_start start, uint64_t seed, char *why, size_t why_size) {
    const mjModel *m = r->m;
    mjData *d = r->d;
    int home = mj_name2id(m, mjOBJ_KEY, "home");
    if (home >= 0) mj_resetDataKeyframe(m, d, home);
    else mj_resetData(m, d);
    /* standing: the robot's hardware standing pose (the A1's: FACTS 2 and 8), not the keyframe's 0.7 / -1.4;
       lying: legs folded under a trunk resting on the floor, for get-up tests;
       side-right / side-left: the standing pose rolled +-90 degrees about the trunk's x axis (+90: the left side
       up, the trunk on its right side), as a fall from standing leaves it, for the roll-over;
       back: the lying pose upside down (roll 180 degrees), the folded legs in the air */
    const double lying[3] = {0.0, 1.2, -2.69};
    const int folded = start == SITL_START_LYING || start == SITL_START_BACK;
    double roll = start == SITL_START_SIDE_RIGHT ? M_PI / 2 : start == SITL_START_SIDE_LEFT ? -M_PI / 2
                : start == SITL_START_BACK ? M_PI : 0.0;
    for (int j = 0; j < PROTO_JOINTS; j++) d->qpos[r->qadr[j]] = folded ? lying[j % 3] : r->stand_rad[j];
    d->qpos[0] = d->qpos[1] = 0;
    d->qpos[3] = cos(roll / 2); /* w x y z: a rotation by roll about the world's x axis */
    d->qpos[4] = sin(roll / 2);
    d->qpos[5] = d->qpos[6] = 0;
    mju_zero(d->qvel, m->nv);
    mju_zero(d->ctrl, m->nu);
    /* The lowest trunk height at which nothing touches the floor: the robot just touches it. */
    double lo = 0.0, hi = 1.0;
    if (touching(m, d, hi)) {
        snprintf(why, why_size, "the robot touches something even 1 m above the floor: cannot place it");
        return -1;
    }
    for (int i = 0; i < 40; i++) {
        double mid = 0.5 * (lo + hi);
        if (touching(m, d, mid)) lo = mid;
        else hi = mid;
    }
    touching(m, d, hi);
    r->steps = 0;
    r->unstable_steps = 0;
    sitl_rng_seed(&r->rng, seed);
    for (int i = 0; i < 3; i++) {
        r->gyro_bias[i] = SITL_GYRO_BIAS * (2 * sitl_rng_uniform(&r->rng) - 1);
        r->accel_bias[i] = SITL_ACCEL_BIAS * (2 * sitl_rng_uniform(&r->rng) - 1);
    }
    for (int j = 0; j < PROTO_JOINTS; j++) {
        r->temp_c[j] = SITL_AMBIENT_C;
        r->tau_cmd[j] = 0;
    }
    return 0;
}

double sitl_trunk_height(const sitl_robot *r) { return r->d->qpos[2]; }

/* ---- sensors and motors ------------------------------------------------------------------------------------ */

static uint64_t hal_micros(void *ctx) { return sitl_now_us((sitl_robot *) ctx); }

static void hal_read_joints(void *ctx, float q[PROTO_JOINTS], float dq[PROTO_JOINTS], float tau[PROTO_JOINTS],
                            float temp[PROTO_JOINTS]) {
    sitl_robot *r = ctx;
    const mjData *d = r->d;
    for (int j = 0; j < PROTO_JOINTS; j++) {
        double angle = d->qpos[r->qadr[j]];
        q[j] = (float) (floor(angle / SITL_ENCODER_LSB_RAD + 0.5) * SITL_ENCODER_LSB_RAD);
        dq[j] = (float) (d->qvel[r->dadr[j]] + SITL_DQ_NOISE * sitl_rng_gauss(&r->rng));
        tau[j] = (float) (d->actuator_force[r->act[j]] + SITL_TAU_NOISE * sitl_rng_gauss(&r->rng));
        temp[j] = (float) floor(r->temp_c[j] + 0.5); /* the A1's motor drivers report whole degrees */
    }
}

static void hal_read_imu(void *ctx, float quat[4], float gyro[3], float accel[3]) {
    sitl_robot *r = ctx;
    const mjtNum *s = r->d->sensordata;
    double qn[4], norm = 0;
    for (int i = 0; i < 4; i++) {
        qn[i] = s[r->s_quat + i] + SITL_QUAT_NOISE * sitl_rng_gauss(&r->rng);
        norm += qn[i] * qn[i];
    }
    norm = sqrt(norm);
    for (int i = 0; i < 4; i++) quat[i] = (float) (qn[i] / norm);
    for (int i = 0; i < 3; i++) {
        gyro[i] = (float) (s[r->s_gyro + i] + r->gyro_bias[i] + SITL_GYRO_NOISE * sitl_rng_gauss(&r->rng));
        accel[i] = (float) (s[r->s_accel + i] + r->accel_bias[i] + SITL_ACCEL_NOISE * sitl_rng_gauss(&r->rng));
    }
}

static void hal_read_feet(void *ctx, float force[PROTO_FEET]) {
    sitl_robot *r = ctx;
    for (int f = 0; f < PROTO_FEET; f++) {
        double v = r->d->sensordata[r->s_touch[f]] + SITL_FOOT_NOISE * sitl_rng_gauss(&r->rng);
        force[f] = (float) (v > 0 ? v : 0);
    }
}

static void hal_write_torques(void *ctx, const float tau[PROTO_JOINTS]) {
    sitl_robot *r = ctx;
    for (int j = 0; j < PROTO_JOINTS; j++) {
        r->tau_cmd[j] = tau[j];
        r->d->ctrl[r->act[j]] = tau[j];
    }
}

static int hal_estop_pressed(void *ctx) { return ((sitl_robot *) ctx)->estop_input; }

void sitl_step(sitl_robot *r) {
    const double dt = r->m->opt.timestep;
    int before = r->d->warning[mjWARN_BADQACC].number;
    mj_step(r->m, r->d);
    if (r->d->warning[mjWARN_BADQACC].number != before) r->unstable_steps++;
    r->steps++;
    /* First-order thermal model: heating ~ tau^2 (copper losses), cooling towards ambient. */
    const double k = dt / SITL_THERMAL_TAU_S;
    for (int j = 0; j < PROTO_JOINTS; j++) {
        double t = r->tau_cmd[j];
        r->temp_c[j] += k * (SITL_AMBIENT_C + SITL_THERMAL_C_PER_NM2 * t * t - r->temp_c[j]);
    }
}

/* ---- serial ------------------------------------------------------------------------------------------------ */

static int hal_serial_read(void *ctx, uint8_t *buf, int max) {
    sitl_robot *r = ctx;
    if (max <= 0) return 0;
    return (int) faults_pull(r->faults, FAULTS_TO_DEVICE, buf, (size_t) max, sitl_now_us(r));
}

static int hal_serial_write_space(void *ctx) {
    sitl_robot *r = ctx;
    size_t used = faults_ready(r->faults, FAULTS_TO_HOST) + (r->tx_length - r->tx_offset);
    return used >= SITL_TX_BYTES ? 0 : (int) (SITL_TX_BYTES - used);
}

static int hal_serial_write(void *ctx, const uint8_t *buf, int n) {
    sitl_robot *r = ctx;
    if (n <= 0) return 0;
    int space = hal_serial_write_space(ctx);
    if (n > space) n = space;
    faults_push(r->faults, FAULTS_TO_HOST, buf, (size_t) n, sitl_now_us(r));
    return n;
}

void sitl_io_in(sitl_robot *r) {
    uint64_t now = sitl_now_us(r);
    faults_update(r->faults, now);
    if (r->pty->master < 0) return;
    sitl_pty_poll(r->pty);
    uint8_t buf[4096];
    for (int i = 0; i < 16; i++) {
        size_t n = sitl_pty_read(r->pty, buf, sizeof buf);
        if (!n) break;
        r->bytes_from_host += n;
        faults_push(r->faults, FAULTS_TO_DEVICE, buf, n, now);
    }
}

void sitl_io_out(sitl_robot *r) {
    uint64_t now = sitl_now_us(r);
    int listening = r->pty->master >= 0 && r->pty->host_open;
    for (int i = 0; i < 16; i++) {
        if (r->tx_offset == r->tx_length) {
            r->tx_offset = 0;
            r->tx_length = faults_pull(r->faults, FAULTS_TO_HOST, r->tx, sizeof r->tx, now);
            if (!r->tx_length) return;
        }
        if (!listening) { /* a UART with nobody at the other end: the bytes are sent and gone */
            r->bytes_unheard += r->tx_length - r->tx_offset;
            r->tx_offset = r->tx_length;
            continue;
        }
        size_t w = sitl_pty_write(r->pty, r->tx + r->tx_offset, r->tx_length - r->tx_offset);
        if (!w) return; /* the pty is full: the host is not reading; try again next tick */
        r->bytes_to_host += w;
        r->tx_offset += w;
    }
}

/* ---- command log ------------------------------------------------------------------------------------------- */

static void hal_on_command_applied(void *ctx, uint32_t seq, const proto_command *command) {
    sitl_robot *r = ctx;
    if (!r->log) return;
    proto_message msg;
    memset(&msg, 0, sizeof msg);
    msg.type = PROTO_COMMAND;
    msg.seq = seq;
    msg.u.command = *command;
    uint8_t packet[PROTO_MAX_PACKET];
    if (proto_pack(&msg, packet) != PROTO_HEADER_BYTES + PROTO_COMMAND_LEN + PROTO_CRC_BYTES) return;
    uint32_t crc = proto_crc32c(packet + PROTO_HEADER_BYTES, PROTO_COMMAND_LEN);
    fprintf(r->log, "%lu %llu %08x %u\n", (unsigned long) seq, (unsigned long long) command->host_time_us,
            (unsigned) crc, (unsigned) command->mode);
    r->commands_logged++;
}

void sitl_robot_hal(sitl_robot *r, fw_hal *hal) {
    memset(hal, 0, sizeof *hal);
    hal->ctx = r;
    hal->micros = hal_micros;
    hal->read_joints = hal_read_joints;
    hal->read_imu = hal_read_imu;
    hal->read_feet = hal_read_feet;
    hal->write_torques = hal_write_torques;
    hal->serial_read = hal_serial_read;
    hal->serial_write = hal_serial_write;
    hal->serial_write_space = hal_serial_write_space;
    hal->estop_pressed = hal_estop_pressed;
    hal->on_command_applied = hal_on_command_applied;
}
