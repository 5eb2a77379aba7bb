/*
 * trot_render.h: offscreen, headless rendering of a MuJoCo simulation with MuJoCo's own renderer (mjr_*), over an
 * EGL context of Mesa's software rasteriser (llvmpipe; or a GPU's EGL driver when there is one). No display, no
 * window system: EGL's device platform, else Mesa's surfaceless platform.
 *
 * Plain C, no JNI: used by libtrotrender.so (trot.env.sim.Renderer, through mujoco_render_jni.c) and by the robot
 * emulator (hardware/firmware/sitl, trot-emulator --video). Kept out of libtrotmujoco.so so that the simulator
 * loads on machines without any GL library.
 *
 * A renderer never touches the simulation it draws: it keeps its own copy of the model (with its own visual
 * settings: colours, light, resolution) and its own mjData, into which each frame copies the simulation's qpos
 * and recomputes the kinematics. The simulation's mjData is only read, and only qpos and time; the model's
 * height fields are read (and uploaded again to GL when they changed, e.g. a new terrain per episode).
 */
#ifndef TROT_RENDER_H
#define TROT_RENDER_H

#include <mujoco/mujoco.h>
#include <stddef.h>

typedef struct trot_renderer trot_renderer;

/* The camera: it looks at body track_body's origin (the trunk) from distance_m, at azimuth_deg (0: looking along
   +x, 90: along +y; MuJoCo's convention) and elevation_deg (negative: from above). Free camera, its target moved to
   the body every frame: it follows the robot without lag or smoothing. */
typedef struct {
    const char *track_body;
    double distance_m, azimuth_deg, elevation_deg;
} trot_camera;

/* The default camera: the trunk, 2 m away, from the front left (azimuth 135), 25 degrees above. */
void trot_camera_default(trot_camera *camera);

/* TROT_RENDER_HIGH: shadows and 4x multisampling (about 4x the time of FAST on llvmpipe, measured at 640x480);
   TROT_RENDER_FAST: neither. */
enum trot_render_quality { TROT_RENDER_FAST = 0, TROT_RENDER_HIGH = 1 };

/* Makes a renderer of width x height pixels for simulations of sim_model. NULL, with a message in why that names
   the Debian package to install when the cause is a missing GL library or driver. */
trot_renderer *trot_render_open(const mjModel *sim_model, int width, int height, const trot_camera *camera,
                                enum trot_render_quality quality, char *why, size_t why_size);

/* Draws the state qpos (sim_model->nq values) into rgb: width x height x 3 bytes, top row first. 0, or -1 with a
   message. The EGL context is current on the calling thread only during the call. */
int trot_render_frame(trot_renderer *r, const mjModel *sim_model, const mjtNum *qpos, unsigned char *rgb, char *why,
                      size_t why_size);

int trot_render_width(const trot_renderer *r);
int trot_render_height(const trot_renderer *r);
/* Which EGL platform and GL renderer this renderer runs on, e.g. "EGL device platform, llvmpipe (LLVM 15.0.6, 256 bits)". */
const char *trot_render_describe(const trot_renderer *r);

void trot_render_close(trot_renderer *r);

#endif
