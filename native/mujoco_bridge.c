/*
 * mujoco_bridge.c: a small, generic JNI bridge from Java (trot.env.sim.Mujoco) to MuJoCo 2.2 (Debian's
 * libmujoco-dev), built as native/build/libtrotmujoco.so.
 *
 * It knows nothing about any particular robot: it loads an MJCF file, resets to keyframes, steps, looks objects
 * up by name, and hands Java zero-copy views (direct ByteBuffers) of the arrays a controller reads and writes
 * (qpos, qvel, ctrl, sensordata, geom friction, height-field elevations, ...). Reading a sensor or writing a
 * control is then a plain buffer access in Java; a physics step is one JNI call, with no copying and no
 * allocation.
 *
 * Errors. MuJoCo reports fatal errors through mju_user_error and, by default, exits the process. This library
 * installs a handler that longjmps back to the JNI entry point, which throws an IllegalStateException carrying
 * MuJoCo's message. Warnings (for example an unstable simulation: bad qacc, after which MuJoCo resets the data)
 * are counted by MuJoCo in mjData.warning; step() returns a bit mask of the warnings that occurred during the call.
 */

#include <jni.h>
#include <mujoco/mujoco.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mujoco_sim.h"

static __thread jmp_buf *error_jump;
static __thread char error_message[1024];

static void on_error(const char *msg) {
    snprintf(error_message, sizeof error_message, "%s", msg);
    if (error_jump) longjmp(*error_jump, 1);
    /* Not inside a bridge call: nothing to return to. MuJoCo would exit; so do we, loudly. */
    fprintf(stderr, "MuJoCo error outside a trot call: %s\n", msg);
    abort();
}

static void on_warning(const char *msg) {
    /* Counted in mjData.warning and reported by step(); printing is the caller's choice. */
    (void) msg;
}

static void throw_new(JNIEnv *env, const char *cls, const char *msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c) (*env)->ThrowNew(env, c, msg);
}

#define GUARDED(env, on_fail)                                                  \
    jmp_buf here__;                                                            \
    jmp_buf *saved__ = error_jump;                                             \
    error_jump = &here__;                                                      \
    if (setjmp(here__)) {                                                      \
        error_jump = saved__;                                                  \
        char m__[1100];                                                        \
        snprintf(m__, sizeof m__, "MuJoCo: %s", error_message);               \
        throw_new(env, "java/lang/IllegalStateException", m__);               \
        on_fail;                                                               \
    }
#define UNGUARD() error_jump = saved__

static sim_t *sim_of(jlong handle) { return (sim_t *) (intptr_t) handle; }

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    mju_user_error = on_error;
    mju_user_warning = on_warning;
    return JNI_VERSION_1_8;
}

JNIEXPORT jstring JNICALL Java_trot_env_sim_Mujoco_nativeVersion(JNIEnv *env, jclass cls) {
    char v[64];
    snprintf(v, sizeof v, "MuJoCo %d.%d.%d (library %d, header %d)", mj_version() / 100, (mj_version() / 10) % 10,
             mj_version() % 10, mj_version(), mjVERSION_HEADER);
    return (*env)->NewStringUTF(env, v);
}

/* Loads an MJCF (or MJB-compatible XML) file. Returns a handle, or 0 with an IllegalArgumentException. */
JNIEXPORT jlong JNICALL Java_trot_env_sim_Mujoco_nativeLoad(JNIEnv *env, jclass cls, jstring path) {
    const char *file = (*env)->GetStringUTFChars(env, path, NULL);
    if (!file) return 0;
    char error[1000] = "";
    mjModel *m = NULL;
    {
        GUARDED(env, { (*env)->ReleaseStringUTFChars(env, path, file); return 0; });
        m = mj_loadXML(file, NULL, error, sizeof error);
        UNGUARD();
    }
    (*env)->ReleaseStringUTFChars(env, path, file);
    if (!m) {
        throw_new(env, "java/lang/IllegalArgumentException", error[0] ? error : "unknown MuJoCo error");
        return 0;
    }
    sim_t *s = calloc(1, sizeof *s);
    if (!s) {
        mj_deleteModel(m);
        throw_new(env, "java/lang/OutOfMemoryError", "trot mujoco bridge");
        return 0;
    }
    s->m = m;
    {
        GUARDED(env, { mj_deleteModel(m); free(s); return 0; });
        s->d = mj_makeData(m);
        UNGUARD();
    }
    return (jlong) (intptr_t) s;
}

JNIEXPORT void JNICALL Java_trot_env_sim_Mujoco_nativeClose(JNIEnv *env, jclass cls, jlong h) {
    sim_t *s = sim_of(h);
    if (!s) return;
    if (s->d) mj_deleteData(s->d);
    if (s->m) mj_deleteModel(s->m);
    free(s);
}

/* {nq, nv, nu, nsensordata, ngeom, nbody, njnt, nkey, nhfield, nsite, nsensor, na} */
JNIEXPORT jintArray JNICALL Java_trot_env_sim_Mujoco_nativeSizes(JNIEnv *env, jclass cls, jlong h) {
    const mjModel *m = sim_of(h)->m;
    jint v[] = {m->nq, m->nv, m->nu, m->nsensordata, m->ngeom, m->nbody, m->njnt, m->nkey, m->nhfield, m->nsite,
                m->nsensor, m->na};
    jintArray a = (*env)->NewIntArray(env, (jsize) (sizeof v / sizeof v[0]));
    if (a) (*env)->SetIntArrayRegion(env, a, 0, (jsize) (sizeof v / sizeof v[0]), v);
    return a;
}

JNIEXPORT jdouble JNICALL Java_trot_env_sim_Mujoco_nativeTimestep(JNIEnv *env, jclass cls, jlong h) {
    return sim_of(h)->m->opt.timestep;
}

static int object_type(const char *t) {
    static const struct { const char *name; int type; } types[] = {
        {"body", mjOBJ_BODY}, {"joint", mjOBJ_JOINT}, {"geom", mjOBJ_GEOM}, {"site", mjOBJ_SITE},
        {"actuator", mjOBJ_ACTUATOR}, {"sensor", mjOBJ_SENSOR}, {"key", mjOBJ_KEY}, {"hfield", mjOBJ_HFIELD},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(t, types[i].name)) return types[i].type;
    return -1;
}

/* The id of a named object, -1 when absent; IllegalArgumentException for an unknown type. */
JNIEXPORT jint JNICALL Java_trot_env_sim_Mujoco_nativeId(JNIEnv *env, jclass cls, jlong h, jstring type, jstring name) {
    const char *t = (*env)->GetStringUTFChars(env, type, NULL);
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    jint id = -1;
    int ot = t ? object_type(t) : -1;
    if (ot < 0) {
        throw_new(env, "java/lang/IllegalArgumentException", "unknown MuJoCo object type");
    } else if (n) {
        id = mj_name2id(sim_of(h)->m, ot, n);
    }
    if (t) (*env)->ReleaseStringUTFChars(env, type, t);
    if (n) (*env)->ReleaseStringUTFChars(env, name, n);
    return id;
}

/* The name of object id of a type, null when it has none; IllegalArgumentException for an unknown type. */
JNIEXPORT jstring JNICALL Java_trot_env_sim_Mujoco_nativeName(JNIEnv *env, jclass cls, jlong h, jstring type, jint id) {
    const char *t = (*env)->GetStringUTFChars(env, type, NULL);
    int ot = t ? object_type(t) : -1;
    if (t) (*env)->ReleaseStringUTFChars(env, type, t);
    if (ot < 0) {
        throw_new(env, "java/lang/IllegalArgumentException", "unknown MuJoCo object type");
        return NULL;
    }
    const char *n = mj_id2name(sim_of(h)->m, ot, id);
    return n ? (*env)->NewStringUTF(env, n) : NULL;
}

/* Per-object integers: which = "jnt_qposadr", "jnt_dofadr", "jnt_type", "jnt_bodyid", "sensor_adr", "sensor_dim",
   "sensor_type", "body_jntadr", "body_jntnum", "hfield_nrow", "hfield_ncol", "hfield_adr", "actuator_joint" (the
   joint an actuator drives, or -1). */
JNIEXPORT jint JNICALL Java_trot_env_sim_Mujoco_nativeInt(JNIEnv *env, jclass cls, jlong h, jstring which, jint id) {
    const mjModel *m = sim_of(h)->m;
    const char *w = (*env)->GetStringUTFChars(env, which, NULL);
    jint v = -1;
    if (!w) return -1;
    if (!strcmp(w, "jnt_qposadr") && id >= 0 && id < m->njnt) v = m->jnt_qposadr[id];
    else if (!strcmp(w, "jnt_dofadr") && id >= 0 && id < m->njnt) v = m->jnt_dofadr[id];
    else if (!strcmp(w, "jnt_type") && id >= 0 && id < m->njnt) v = m->jnt_type[id];
    else if (!strcmp(w, "sensor_adr") && id >= 0 && id < m->nsensor) v = m->sensor_adr[id];
    else if (!strcmp(w, "sensor_dim") && id >= 0 && id < m->nsensor) v = m->sensor_dim[id];
    else if (!strcmp(w, "hfield_nrow") && id >= 0 && id < m->nhfield) v = m->hfield_nrow[id];
    else if (!strcmp(w, "hfield_ncol") && id >= 0 && id < m->nhfield) v = m->hfield_ncol[id];
    else if (!strcmp(w, "hfield_adr") && id >= 0 && id < m->nhfield) v = m->hfield_adr[id];
    else if (!strcmp(w, "actuator_joint") && id >= 0 && id < m->nu)
        v = m->actuator_trntype[id] == mjTRN_JOINT ? m->actuator_trnid[2 * id] : -1;
    else if (!strcmp(w, "sensor_type") && id >= 0 && id < m->nsensor) v = m->sensor_type[id];
    else if (!strcmp(w, "jnt_bodyid") && id >= 0 && id < m->njnt) v = m->jnt_bodyid[id];
    else if (!strcmp(w, "body_jntadr") && id >= 0 && id < m->nbody) v = m->body_jntadr[id];
    else if (!strcmp(w, "body_jntnum") && id >= 0 && id < m->nbody) v = m->body_jntnum[id];
    else throw_new(env, "java/lang/IllegalArgumentException", "unknown field or id out of range");
    (*env)->ReleaseStringUTFChars(env, which, w);
    return v;
}

/* A zero-copy view of one of mjData's or mjModel's arrays. The memory lives as long as the simulation. */
JNIEXPORT jobject JNICALL Java_trot_env_sim_Mujoco_nativeView(JNIEnv *env, jclass cls, jlong h, jstring which) {
    const mjModel *m = sim_of(h)->m;
    mjData *d = sim_of(h)->d;
    const char *w = (*env)->GetStringUTFChars(env, which, NULL);
    void *p = NULL;
    size_t bytes = 0;
    if (!w) return NULL;
#define VIEW(name, ptr, count, type) else if (!strcmp(w, name)) { p = (void *) (ptr); bytes = (size_t) (count) * sizeof(type); }
    if (0) {}
    VIEW("qpos", d->qpos, m->nq, mjtNum)
    VIEW("qvel", d->qvel, m->nv, mjtNum)
    VIEW("qacc", d->qacc, m->nv, mjtNum)
    VIEW("ctrl", d->ctrl, m->nu, mjtNum)
    VIEW("qfrc_applied", d->qfrc_applied, m->nv, mjtNum)
    VIEW("actuator_force", d->actuator_force, m->nu, mjtNum)
    VIEW("sensordata", d->sensordata, m->nsensordata, mjtNum)
    VIEW("xpos", d->xpos, 3 * m->nbody, mjtNum)
    VIEW("xquat", d->xquat, 4 * m->nbody, mjtNum)
    VIEW("geom_xpos", d->geom_xpos, 3 * m->ngeom, mjtNum)
    VIEW("site_xpos", d->site_xpos, 3 * m->nsite, mjtNum)
    VIEW("time", &d->time, 1, mjtNum)
    VIEW("geom_friction", m->geom_friction, 3 * m->ngeom, mjtNum)
    VIEW("geom_pos", m->geom_pos, 3 * m->ngeom, mjtNum)
    VIEW("geom_quat", m->geom_quat, 4 * m->ngeom, mjtNum)
    VIEW("body_pos", m->body_pos, 3 * m->nbody, mjtNum)
    VIEW("gravity", m->opt.gravity, 3, mjtNum)
    VIEW("key_qpos", m->key_qpos, m->nkey * m->nq, mjtNum)
    VIEW("hfield_size", m->hfield_size, 4 * m->nhfield, mjtNum)
    VIEW("hfield_data", m->hfield_data, m->nhfielddata, float)
    else {
        throw_new(env, "java/lang/IllegalArgumentException", "unknown MuJoCo array");
    }
#undef VIEW
    (*env)->ReleaseStringUTFChars(env, which, w);
    if (!p || !bytes) return NULL;
    return (*env)->NewDirectByteBuffer(env, p, (jlong) bytes);
}

static void clear_warnings(mjData *d) {
    for (int i = 0; i < mjNWARNING; i++) d->warning[i].number = 0;
}

static jint warning_mask(const mjData *d) {
    jint mask = 0;
    for (int i = 0; i < mjNWARNING; i++)
        if (d->warning[i].number > 0) mask |= 1 << i;
    return mask;
}

/* n physics steps. Returns the mask of MuJoCo warnings (bit i = mjtWarning i) raised during them. */
JNIEXPORT jint JNICALL Java_trot_env_sim_Mujoco_nativeStep(JNIEnv *env, jclass cls, jlong h, jint n) {
    sim_t *s = sim_of(h);
    clear_warnings(s->d);
    GUARDED(env, return -1);
    for (jint i = 0; i < n; i++) mj_step(s->m, s->d);
    UNGUARD();
    return warning_mask(s->d);
}

/* Recomputes positions, sensors and contacts for the current state without advancing time. */
JNIEXPORT jint JNICALL Java_trot_env_sim_Mujoco_nativeForward(JNIEnv *env, jclass cls, jlong h) {
    sim_t *s = sim_of(h);
    clear_warnings(s->d);
    GUARDED(env, return -1);
    mj_forward(s->m, s->d);
    UNGUARD();
    return warning_mask(s->d);
}

JNIEXPORT void JNICALL Java_trot_env_sim_Mujoco_nativeResetKeyframe(JNIEnv *env, jclass cls, jlong h, jint key) {
    sim_t *s = sim_of(h);
    GUARDED(env, return);
    if (key < 0) mj_resetData(s->m, s->d);
    else mj_resetDataKeyframe(s->m, s->d, key);
    UNGUARD();
}

JNIEXPORT jint JNICALL Java_trot_env_sim_Mujoco_nativeContactCount(JNIEnv *env, jclass cls, jlong h) {
    return sim_of(h)->d->ncon;
}

/* Geoms of contact i, as geom1 * 65536 + geom2 (both below 65536), or -1 when i is out of range. */
JNIEXPORT jint JNICALL Java_trot_env_sim_Mujoco_nativeContactGeoms(JNIEnv *env, jclass cls, jlong h, jint i) {
    const mjData *d = sim_of(h)->d;
    if (i < 0 || i >= d->ncon) return -1;
    return d->contact[i].geom1 * 65536 + d->contact[i].geom2;
}
