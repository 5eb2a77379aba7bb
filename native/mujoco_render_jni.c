/*
 * mujoco_render_jni.c: the JNI side of trot.env.sim.Renderer, over trot_render.c (EGL + MuJoCo's renderer), built
 * as native/build/libtrotrender.so. A separate library from libtrotmujoco.so: without libEGL only this one fails to
 * load, and the simulator works as before.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>

#include "mujoco_sim.h"
#include "trot_render.h"

typedef struct {
    trot_renderer *r;
    unsigned char *rgb;
} jrenderer;

static void throw_new(JNIEnv *env, const char *cls, const char *msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c) (*env)->ThrowNew(env, c, msg);
}

JNIEXPORT jlong JNICALL Java_trot_env_sim_Renderer_nativeOpen(JNIEnv *env, jclass cls, jlong sim, jint width,
                                                              jint height, jstring body, jdouble distance,
                                                              jdouble azimuth, jdouble elevation,
                                                              jboolean high) {
    const char *b = (*env)->GetStringUTFChars(env, body, NULL);
    if (!b) return 0;
    trot_camera camera = {b, distance, azimuth, elevation};
    char why[1024] = "";
    const sim_t *s = (const sim_t *) (intptr_t) sim;
    trot_renderer *r = trot_render_open(s->m, width, height, &camera,
                                        high ? TROT_RENDER_HIGH : TROT_RENDER_FAST, why, sizeof why);
    (*env)->ReleaseStringUTFChars(env, body, b);
    if (!r) {
        throw_new(env, "java/lang/IllegalStateException", why);
        return 0;
    }
    jrenderer *j = calloc(1, sizeof *j);
    if (j) j->rgb = malloc((size_t) width * (size_t) height * 3);
    if (!j || !j->rgb) {
        if (j) free(j);
        trot_render_close(r);
        throw_new(env, "java/lang/OutOfMemoryError", "trot renderer frame buffer");
        return 0;
    }
    j->r = r;
    return (jlong) (intptr_t) j;
}

JNIEXPORT void JNICALL Java_trot_env_sim_Renderer_nativeRender(JNIEnv *env, jclass cls, jlong handle, jlong sim,
                                                               jbyteArray out) {
    jrenderer *j = (jrenderer *) (intptr_t) handle;
    const sim_t *s = (const sim_t *) (intptr_t) sim;
    char why[1024] = "";
    if (trot_render_frame(j->r, s->m, s->d->qpos, j->rgb, why, sizeof why)) {
        throw_new(env, "java/lang/IllegalStateException", why);
        return;
    }
    jsize n = (jsize) ((size_t) trot_render_width(j->r) * (size_t) trot_render_height(j->r) * 3);
    (*env)->SetByteArrayRegion(env, out, 0, n, (const jbyte *) j->rgb);
}

JNIEXPORT jstring JNICALL Java_trot_env_sim_Renderer_nativeDescribe(JNIEnv *env, jclass cls, jlong handle) {
    return (*env)->NewStringUTF(env, trot_render_describe(((jrenderer *) (intptr_t) handle)->r));
}

JNIEXPORT void JNICALL Java_trot_env_sim_Renderer_nativeClose(JNIEnv *env, jclass cls, jlong handle) {
    jrenderer *j = (jrenderer *) (intptr_t) handle;
    if (!j) return;
    trot_render_close(j->r);
    free(j->rgb);
    free(j);
}
