/*
 * mujoco_sim.h: what a trot.env.sim.Mujoco handle points to. Shared by the bridge (libtrotmujoco.so), which owns it,
 * and the renderer (libtrotrender.so), which only reads the model and qpos through it.
 */
#ifndef TROT_MUJOCO_SIM_H
#define TROT_MUJOCO_SIM_H

#include <mujoco/mujoco.h>

typedef struct {
    mjModel *m;
    mjData *d;
} sim_t;

#endif
