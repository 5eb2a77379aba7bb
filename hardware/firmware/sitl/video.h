/*
 * video.h: trot-emulator --video FILE.mp4: a video of what the emulated robot did, rendered with MuJoCo's renderer
 * offscreen over EGL (native/trot_render.c, the renderer trot eval --video uses) and encoded by Debian's ffmpeg
 * (H.264, yuv420p) through a pipe.
 *
 * The real-time loop only copies qpos into a queue when a frame is due (30 frames per second of the device clock,
 * at the 1 ms step nearest the frame's time); a thread of its own renders the queue and feeds ffmpeg, so rendering
 * never delays a tick. At the end, sitl_video_close renders what is left and waits for ffmpeg.
 *
 * Built only when EGL's headers are there (SITL_VIDEO); otherwise sitl_video_open says what to install.
 */
#ifndef TROT_SITL_VIDEO_H
#define TROT_SITL_VIDEO_H

#include <mujoco/mujoco.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sitl_video sitl_video;

/* Starts ffmpeg writing path (via a temporary file beside it, renamed at the end) and a renderer of width x height
   (high: shadows and anti-aliasing). NULL with a message in why (naming the Debian package that is missing). */
sitl_video *sitl_video_open(const mjModel *m, const char *path, int width, int height, int high, double fps,
                            char *why, size_t why_size);
/* After physics step `steps` (the device clock is steps x 1 ms): queues the state if a frame is due. */
void sitl_video_sample(sitl_video *v, const mjData *d, uint64_t steps);
/* Renders the rest, finishes the file. Returns the number of frames (>= 0), or -1 with a message. Frees v. */
long sitl_video_close(sitl_video *v, char *why, size_t why_size);

#endif
