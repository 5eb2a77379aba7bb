/* video.c: see video.h. */
#include "video.h"

#include <stdio.h>
#include <string.h>

#ifndef SITL_VIDEO

sitl_video *sitl_video_open(const mjModel *m, const char *path, int width, int height, int high, double fps,
                            char *why, size_t why_size) {
    (void) m, (void) path, (void) width, (void) height, (void) high, (void) fps;
    snprintf(why, why_size, "--video: this emulator was built without EGL; install it (Debian: apt-get install "
             "libegl-dev libegl-mesa0 libgl1-mesa-dri ffmpeg) and rebuild (make -C hardware/firmware emulator)");
    return NULL;
}
void sitl_video_sample(sitl_video *v, const mjData *d, uint64_t steps) { (void) v, (void) d, (void) steps; }
long sitl_video_close(sitl_video *v, char *why, size_t why_size) { (void) v, (void) why, (void) why_size; return -1; }

#else

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../native/trot_render.h"

extern char **environ;

struct sitl_video {
    const mjModel *m;
    trot_renderer *renderer;
    int width, height, nq;
    double fps;
    char *path, *partial;
    pid_t ffmpeg;
    int pipe_fd;
    unsigned char *rgb;
    /* queue of qpos snapshots: [queued) written by the loop, [rendered) by the thread */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    mjtNum *states;
    size_t capacity, queued, rendered;
    uint64_t next_frame;
    int closing, failed;
    char error[512];
};

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

/* Is there an executable `name` on PATH? */
static int on_path(const char *name) {
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    char dir[4096];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n < sizeof dir - strlen(name) - 2) {
            snprintf(dir, sizeof dir, "%.*s/%s", (int) n, path, name);
            if (access(dir, X_OK) == 0) return 1;
        }
        path += n;
        if (*path == ':') path++;
    }
    return 0;
}

/* Renders and encodes below the loop's priority (nice 10 here; ffmpeg is started with nice 10 too): on a busy
   machine the ticks come first and the queue waits. */
#define VIDEO_NICE 10

static void *render_thread(void *arg) {
    sitl_video *v = arg;
    setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), VIDEO_NICE);
    mjtNum *qpos = malloc(sizeof(mjtNum) * (size_t) v->nq);
    pthread_mutex_lock(&v->lock);
    for (;;) {
        while (v->rendered == v->queued && !v->closing) pthread_cond_wait(&v->wake, &v->lock);
        if (v->rendered == v->queued) break; /* closing and drained */
        memcpy(qpos, v->states + v->rendered * (size_t) v->nq, sizeof(mjtNum) * (size_t) v->nq);
        pthread_mutex_unlock(&v->lock);
        char why[512] = "";
        int bad = !qpos || trot_render_frame(v->renderer, v->m, qpos, v->rgb, why, sizeof why);
        if (!bad && write_all(v->pipe_fd, v->rgb, (size_t) v->width * (size_t) v->height * 3)) {
            snprintf(why, sizeof why, "ffmpeg stopped taking frames (%s)", strerror(errno));
            bad = 1;
        }
        pthread_mutex_lock(&v->lock);
        if (bad) {
            v->failed = 1;
            snprintf(v->error, sizeof v->error, "%s", why[0] ? why : "out of memory");
            break;
        }
        v->rendered++;
    }
    pthread_mutex_unlock(&v->lock);
    free(qpos);
    return NULL;
}

sitl_video *sitl_video_open(const mjModel *m, const char *path, int width, int height, int high, double fps,
                            char *why, size_t why_size) {
    sitl_video *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    v->m = m;
    v->width = width;
    v->height = height;
    v->nq = m->nq;
    v->fps = fps;
    v->pipe_fd = -1;
    v->ffmpeg = -1;
    /* Mesa's llvmpipe rasterises on threads of its own, made with the loop's priority; with LP_NUM_THREADS=0 it
       draws on the (niced) render thread instead. Measured on a loaded 2-core machine, 4 s runs: ticks late by more
       than 1 ms 800 with llvmpipe's threads, 190-270 without (84-180 with no video). The user's setting wins. */
    setenv("LP_NUM_THREADS", "0", 0);
    trot_camera camera;
    trot_camera_default(&camera);
    v->renderer = trot_render_open(m, width, height, &camera, high ? TROT_RENDER_HIGH : TROT_RENDER_FAST, why,
                                   why_size);
    if (!v->renderer) {
        free(v);
        return NULL;
    }
    size_t n = strlen(path);
    v->path = strdup(path);
    v->partial = malloc(n + 16);
    v->rgb = malloc((size_t) width * (size_t) height * 3);
    if (!v->path || !v->partial || !v->rgb) {
        snprintf(why, why_size, "out of memory");
        goto fail;
    }
    snprintf(v->partial, n + 16, "%s.partial", path);
    int fds[2];
    if (pipe(fds)) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        goto fail;
    }
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    char size[32], rate[32];
    snprintf(size, sizeof size, "%dx%d", width, height);
    snprintf(rate, sizeof rate, "%.6f", fps);
    if (!on_path("ffmpeg")) {
        snprintf(why, why_size, "ffmpeg is not installed (not on PATH): install it with 'apt-get install ffmpeg' "
                 "(Debian 12)");
        close(fds[0]);
        close(fds[1]);
        goto fail;
    }
    char *args[] = {"nice", "-n", "10", "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt",
                    "rgb24", "-s", size, "-framerate", rate, "-i", "pipe:0", "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", v->partial, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    /* ffmpeg must not inherit the pty or the emulator's real-time priority: a fresh default scheduling policy. */
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSCHEDULER | POSIX_SPAWN_SETSIGDEF);
    struct sched_param sp;
    memset(&sp, 0, sizeof sp);
    posix_spawnattr_setschedpolicy(&attributes, SCHED_OTHER);
    posix_spawnattr_setschedparam(&attributes, &sp);
    sigset_t all;
    sigemptyset(&all);
    sigaddset(&all, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &all);
    int rc = posix_spawnp(&v->ffmpeg, "nice", &actions, &attributes, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(fds[0]);
    v->pipe_fd = fds[1];
    if (rc) {
        v->ffmpeg = -1;
        snprintf(why, why_size, "--video: cannot start ffmpeg (%s): install it with 'apt-get install ffmpeg' "
                 "(Debian 12)", strerror(rc));
        goto fail;
    }
    v->capacity = 1024;
    v->states = malloc(sizeof(mjtNum) * (size_t) v->nq * v->capacity);
    if (!v->states) {
        snprintf(why, why_size, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, NULL);
    if (pthread_create(&v->thread, NULL, render_thread, v)) {
        snprintf(why, why_size, "cannot start the render thread");
        pthread_mutex_destroy(&v->lock);
        pthread_cond_destroy(&v->wake);
        goto fail;
    }
    return v;
fail:
    if (v->pipe_fd >= 0) close(v->pipe_fd);
    if (v->ffmpeg > 0) waitpid(v->ffmpeg, NULL, 0);
    if (v->partial) unlink(v->partial);
    trot_render_close(v->renderer);
    free(v->states);
    free(v->path);
    free(v->partial);
    free(v->rgb);
    free(v);
    return NULL;
}

void sitl_video_sample(sitl_video *v, const mjData *d, uint64_t steps) {
    /* Frame k is due at the first step at or after k / fps - 0.5 ms (the step nearest its time). */
    if (!v || (double) steps + 0.5 < (double) v->next_frame * 1000.0 / v->fps) return;
    pthread_mutex_lock(&v->lock);
    while ((double) steps + 0.5 >= (double) v->next_frame * 1000.0 / v->fps) {
        if (v->failed) break;
        if (v->queued == v->capacity) {
            size_t c = v->capacity * 2;
            mjtNum *s = realloc(v->states, sizeof(mjtNum) * (size_t) v->nq * c);
            if (!s) {
                v->failed = 1;
                snprintf(v->error, sizeof v->error, "out of memory for the video's queue after %zu frames", v->queued);
                break;
            }
            v->states = s;
            v->capacity = c;
        }
        memcpy(v->states + v->queued * (size_t) v->nq, d->qpos, sizeof(mjtNum) * (size_t) v->nq);
        v->queued++;
        v->next_frame++;
    }
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
}

long sitl_video_close(sitl_video *v, char *why, size_t why_size) {
    pthread_mutex_lock(&v->lock);
    v->closing = 1;
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
    pthread_join(v->thread, NULL);
    close(v->pipe_fd);
    int status = 0;
    while (waitpid(v->ffmpeg, &status, 0) < 0 && errno == EINTR) {}
    long frames = (long) v->rendered;
    int ok = !v->failed && WIFEXITED(status) && WEXITSTATUS(status) == 0 && frames > 0;
    if (ok && rename(v->partial, v->path)) {
        snprintf(why, why_size, "cannot move the video to %s: %s", v->path, strerror(errno));
        ok = 0;
    } else if (!ok) {
        if (v->failed) snprintf(why, why_size, "%s", v->error);
        else if (frames == 0) snprintf(why, why_size, "no frames were recorded");
        else snprintf(why, why_size, "ffmpeg failed (exit status %d; its messages are above)",
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    if (!ok) unlink(v->partial);
    trot_render_close(v->renderer);
    pthread_mutex_destroy(&v->lock);
    pthread_cond_destroy(&v->wake);
    free(v->states);
    free(v->path);
    free(v->partial);
    free(v->rgb);
    free(v);
    return ok ? frames : -1;
}

#endif
