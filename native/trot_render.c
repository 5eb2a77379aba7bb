/*
 * trot_render.c: see trot_render.h. EGL (libEGL from libglvnd, Mesa's EGL vendor and llvmpipe driver on Debian:
 * libegl1, libegl-mesa0, libgl1-mesa-dri) gives an OpenGL compatibility context with no surface at all; MuJoCo's
 * renderer draws into its own offscreen framebuffer (mjFB_OFFSCREEN) and mjr_readPixels reads it back.
 *
 * MuJoCo 2.2 finds the GL functions itself (its glad loader asks eglGetProcAddress of the current context), so this
 * file links only libEGL and calls no GL function directly but glGetString, for the description.
 */
#include "trot_render.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUND_GRID_M 0.5       /* spacing of the lines drawn on the ground, so that walking shows against it */
#define GROUND_GRID_HALF_M 5.0  /* the grid covers this far around the camera's target */
#define GROUND_GRID_SEGMENT_M 0.1
#define MAX_GEOMS 8000
static const float GROUND_RGB[3] = {0.62f, 0.64f, 0.60f}, LINE_RGB[3] = {0.22f, 0.23f, 0.22f};
/* Lines are lit more brightly than the ground's faces: far away they fade to this, which looks like the ground. */
static const float LINE_FAR_RGB[3] = {0.36f, 0.37f, 0.35f};

/* The packages that provide what this file needs at run time, for the error messages. */
#define EGL_PACKAGES "libegl1 libegl-mesa0 libgl1-mesa-dri"

struct trot_renderer {
    EGLDisplay display;
    EGLContext context;
    mjModel *m; /* the renderer's own copy of the model */
    mjData *d;  /* and data */
    mjvScene scene;
    mjvCamera camera;
    mjvOption option;
    mjrContext con;
    int width, height, track_body, have_scene, have_con, shadows;
    unsigned char *flip; /* one row */
    char description[256];
};

void trot_camera_default(trot_camera *c) {
    c->track_body = "trunk";
    c->distance_m = 2.0;
    c->azimuth_deg = 135;
    c->elevation_deg = -25; /* the top edge of the picture 2.5 degrees below the horizon: no black sky */
}

/* MuJoCo reports fatal errors (for example "gladLoadGL error": no usable GL) through mju_user_error, which by
   default exits the process. Around its calls this file installs a handler that jumps back and returns the message
   as an error; the previous handler (libtrotmujoco's, or none) is put back afterwards. */
static __thread jmp_buf *mujoco_jump;
static __thread char mujoco_message[512];
static __thread void (*previous_handler)(const char *);

static void on_mujoco_error(const char *msg) {
    snprintf(mujoco_message, sizeof mujoco_message, "%s", msg);
    if (mujoco_jump) longjmp(*mujoco_jump, 1);
    fprintf(stderr, "MuJoCo error in the renderer: %s\n", msg);
    abort();
}

#define MUJOCO_GUARD(on_error)                                                  \
    jmp_buf here__;                                                             \
    previous_handler = mju_user_error;                                          \
    mju_user_error = on_mujoco_error;                                           \
    mujoco_jump = &here__;                                                      \
    if (setjmp(here__)) {                                                       \
        mujoco_jump = NULL;                                                     \
        mju_user_error = previous_handler;                                      \
        on_error;                                                               \
    }
#define MUJOCO_UNGUARD() (mujoco_jump = NULL, mju_user_error = previous_handler)

static const char *egl_error_name(EGLint e) {
    switch (e) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    default: return "EGL error";
    }
}

/* Opens an EGL display without any window system: the first device of EGL_EXT_platform_device, else Mesa's
   surfaceless platform. Sets *platform to a description. */
static EGLDisplay open_display(const char **platform) {
    const char *ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!ext) return EGL_NO_DISPLAY;
    PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
        (PFNEGLGETPLATFORMDISPLAYEXTPROC) eglGetProcAddress("eglGetPlatformDisplayEXT");
    if (!get_display) return EGL_NO_DISPLAY;
    if (strstr(ext, "EGL_EXT_platform_device")) {
        PFNEGLQUERYDEVICESEXTPROC query_devices = (PFNEGLQUERYDEVICESEXTPROC) eglGetProcAddress("eglQueryDevicesEXT");
        EGLDeviceEXT devices[8];
        EGLint n = 0;
        if (query_devices && query_devices(8, devices, &n) && n > 0) {
            for (EGLint i = 0; i < n; i++) {
                EGLDisplay d = get_display(EGL_PLATFORM_DEVICE_EXT, devices[i], NULL);
                EGLint major, minor;
                if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)) {
                    *platform = "EGL device platform";
                    return d;
                }
            }
        }
    }
    if (strstr(ext, "EGL_MESA_platform_surfaceless")) {
        EGLDisplay d = get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
        EGLint major, minor;
        if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)) {
            *platform = "EGL surfaceless platform (Mesa)";
            return d;
        }
    }
    return EGL_NO_DISPLAY;
}

static int make_current(trot_renderer *r, char *why, size_t why_size) {
    if (!eglMakeCurrent(r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, r->context)) {
        snprintf(why, why_size, "eglMakeCurrent failed (%s)", egl_error_name(eglGetError()));
        return -1;
    }
    return 0;
}

static void release_current(trot_renderer *r) {
    eglMakeCurrent(r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
}

/* Colours of the render model: a light ground, the robot in two tones (trunk darker), so that it stands out. */
static void set_colours(mjModel *m, int track_body) {
    for (int g = 0; g < m->ngeom; g++) {
        float *c = m->geom_rgba + 4 * g;
        int body = m->geom_bodyid[g];
        if (m->geom_matid[g] >= 0) continue; /* the model chose a material: keep it */
        if (body == 0) {
            c[0] = GROUND_RGB[0]; c[1] = GROUND_RGB[1]; c[2] = GROUND_RGB[2]; c[3] = 1;
        } else if (body == track_body) {
            c[0] = 0.18f; c[1] = 0.20f; c[2] = 0.24f; c[3] = 1;
        } else {
            c[0] = 0.90f; c[1] = 0.52f; c[2] = 0.16f; c[3] = 1;
        }
    }
    m->vis.headlight.ambient[0] = m->vis.headlight.ambient[1] = m->vis.headlight.ambient[2] = 0.35f;
    m->vis.headlight.diffuse[0] = m->vis.headlight.diffuse[1] = m->vis.headlight.diffuse[2] = 0.45f;
    m->vis.headlight.specular[0] = m->vis.headlight.specular[1] = m->vis.headlight.specular[2] = 0.1f;
    m->vis.headlight.active = 1;
    m->vis.quality.shadowsize = 2048;
}

trot_renderer *trot_render_open(const mjModel *sim_model, int width, int height, const trot_camera *camera,
                                enum trot_render_quality quality, char *why, size_t why_size) {
    if (width < 16 || height < 16 || width > 8192 || height > 8192) {
        snprintf(why, why_size, "the frame size %dx%d is outside 16..8192 pixels per side", width, height);
        return NULL;
    }
    int body = mj_name2id(sim_model, mjOBJ_BODY, camera->track_body);
    if (body < 0) {
        snprintf(why, why_size, "the model has no body named '%s' for the camera to follow", camera->track_body);
        return NULL;
    }
    trot_renderer *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    r->display = EGL_NO_DISPLAY;
    r->context = EGL_NO_CONTEXT;
    r->width = width;
    r->height = height;
    r->track_body = body;
    const char *platform = "";
    r->display = open_display(&platform);
    if (r->display == EGL_NO_DISPLAY) {
        snprintf(why, why_size,
                 "no headless EGL display (neither EGL's device platform nor Mesa's surfaceless platform could be "
                 "initialised: %s); install Mesa's EGL driver and software renderer (Debian: apt-get install %s)",
                 egl_error_name(eglGetError()), EGL_PACKAGES);
        trot_render_close(r);
        return NULL;
    }
    EGLint config_attributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                  EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_DEPTH_SIZE, 24,
                                  EGL_NONE};
    EGLConfig config = NULL;
    EGLint configs = 0;
    if (!eglChooseConfig(r->display, config_attributes, &config, 1, &configs) || configs < 1) {
        EGLint any[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE};
        if (!eglChooseConfig(r->display, any, &config, 1, &configs) || configs < 1) config = NULL;
    }
    if (!eglBindAPI(EGL_OPENGL_API)) {
        snprintf(why, why_size, "the EGL driver offers no desktop OpenGL (%s); MuJoCo's renderer needs it (Debian: "
                 "apt-get install %s)", egl_error_name(eglGetError()), EGL_PACKAGES);
        trot_render_close(r);
        return NULL;
    }
    /* No version asked: a compatibility-profile context, which MuJoCo's fixed-function renderer needs. */
    r->context = eglCreateContext(r->display, config, EGL_NO_CONTEXT, NULL);
    if (r->context == EGL_NO_CONTEXT) {
        snprintf(why, why_size, "eglCreateContext failed (%s) on the %s; Debian: apt-get install %s",
                 egl_error_name(eglGetError()), platform, EGL_PACKAGES);
        trot_render_close(r);
        return NULL;
    }
    if (make_current(r, why, why_size)) {
        trot_render_close(r);
        return NULL;
    }
    MUJOCO_GUARD({
        snprintf(why, why_size, "MuJoCo's renderer could not start on the %s: %s (Debian: apt-get install %s)",
                 platform, mujoco_message, EGL_PACKAGES);
        release_current(r);
        r->have_con = 0; /* a half-made GL context is not freed: the process keeps it */
        trot_render_close(r);
        return NULL;
    });
    r->m = mj_copyModel(NULL, sim_model);
    r->d = r->m ? mj_makeData(r->m) : NULL;
    r->flip = malloc((size_t) width * 3);
    if (!r->m || !r->d || !r->flip) {
        MUJOCO_UNGUARD();
        snprintf(why, why_size, "out of memory for the renderer's copy of the model");
        release_current(r);
        trot_render_close(r);
        return NULL;
    }
    r->m->vis.global.offwidth = width;
    r->m->vis.global.offheight = height;
    r->m->vis.quality.offsamples = quality == TROT_RENDER_HIGH ? 4 : 0;
    r->shadows = quality == TROT_RENDER_HIGH;
    set_colours(r->m, body);
    mjv_defaultScene(&r->scene);
    mjv_defaultOption(&r->option);
    mjv_defaultCamera(&r->camera);
    mjr_defaultContext(&r->con);
    mjv_makeScene(r->m, &r->scene, MAX_GEOMS);
    r->have_scene = 1;
    mjr_makeContext(r->m, &r->con, mjFONTSCALE_100);
    r->have_con = 1;
    MUJOCO_UNGUARD();
    if (!r->con.offFBO || r->con.offWidth < width || r->con.offHeight < height) {
        snprintf(why, why_size, "MuJoCo could not make a %dx%d offscreen framebuffer on the %s", width, height,
                 platform);
        release_current(r);
        trot_render_close(r);
        return NULL;
    }
    mjr_setBuffer(mjFB_OFFSCREEN, &r->con);
    r->camera.type = mjCAMERA_FREE;
    r->camera.distance = camera->distance_m;
    r->camera.azimuth = camera->azimuth_deg;
    r->camera.elevation = camera->elevation_deg;
    typedef const unsigned char *(*get_string_fn)(unsigned int);
    get_string_fn get_string = (get_string_fn) eglGetProcAddress("glGetString");
    const unsigned char *renderer = get_string ? get_string(0x1F01 /* GL_RENDERER */) : NULL;
    snprintf(r->description, sizeof r->description, "%s, %s", platform, renderer ? (const char *) renderer : "?");
    release_current(r);
    return r;
}

/* Ground height at (x, y): the highest of the world's planes and height fields there (height fields assumed axis
   aligned, as trot's terrain is), bilinear between the field's samples. */
static double ground_height(const mjModel *m, const mjData *d, double x, double y) {
    double z = -INFINITY;
    for (int g = 0; g < m->ngeom; g++) {
        if (m->geom_bodyid[g] != 0) continue;
        const mjtNum *p = d->geom_xpos + 3 * g;
        if (m->geom_type[g] == mjGEOM_PLANE) {
            if (p[2] > z) z = p[2];
        } else if (m->geom_type[g] == mjGEOM_HFIELD) {
            int h = m->geom_dataid[g];
            const mjtNum *s = m->hfield_size + 4 * h;
            int rows = m->hfield_nrow[h], cols = m->hfield_ncol[h];
            double u = (x - p[0] + s[0]) / (2 * s[0]) * (cols - 1), v = (y - p[1] + s[1]) / (2 * s[1]) * (rows - 1);
            if (u < 0 || v < 0 || u > cols - 1 || v > rows - 1) continue;
            int c0 = (int) u, r0 = (int) v;
            int c1 = c0 + 1 < cols ? c0 + 1 : c0, r1 = r0 + 1 < rows ? r0 + 1 : r0;
            double fu = u - c0, fv = v - r0;
            const float *e = m->hfield_data + m->hfield_adr[h];
            double e0 = e[r0 * cols + c0] * (1 - fu) + e[r0 * cols + c1] * fu;
            double e1 = e[r1 * cols + c0] * (1 - fu) + e[r1 * cols + c1] * fu;
            double hz = p[2] + s[2] * (e0 * (1 - fv) + e1 * fv);
            if (hz > z) z = hz;
        }
    }
    return z;
}

/* Lines on the ground every GROUND_GRID_M around the camera's target, following the terrain: a model without
   textures is one flat colour, against which a robot followed by the camera would seem to walk on the spot. */
static void add_ground_grid(trot_renderer *r) {
    const mjModel *m = r->m;
    mjvScene *scn = &r->scene;
    float rgba[4] = {0, 0, 0, 1};
    double cx = floor(r->camera.lookat[0] / GROUND_GRID_M) * GROUND_GRID_M;
    double cy = floor(r->camera.lookat[1] / GROUND_GRID_M) * GROUND_GRID_M;
    int lines = (int) (2 * GROUND_GRID_HALF_M / GROUND_GRID_M) + 1;
    int segments = (int) (2 * GROUND_GRID_HALF_M / GROUND_GRID_SEGMENT_M);
    for (int dir = 0; dir < 2; dir++) {
        for (int l = 0; l < lines; l++) {
            double across = (dir ? cy : cx) - GROUND_GRID_HALF_M + l * GROUND_GRID_M;
            for (int s = 0; s < segments; s++) {
                if (scn->ngeom >= scn->maxgeom) return;
                double a0 = (dir ? cx : cy) - GROUND_GRID_HALF_M + s * GROUND_GRID_SEGMENT_M;
                double a1 = a0 + GROUND_GRID_SEGMENT_M;
                double x0 = dir ? a0 : across, y0 = dir ? across : a0;
                double x1 = dir ? a1 : across, y1 = dir ? across : a1;
                double z0 = ground_height(m, r->d, x0, y0), z1 = ground_height(m, r->d, x1, y1);
                if (!isfinite(z0) || !isfinite(z1)) continue;
                /* Fading with the distance from the target: thin lines far away would otherwise merge into a dark band. */
                double dx = 0.5 * (x0 + x1) - r->camera.lookat[0], dy = 0.5 * (y0 + y1) - r->camera.lookat[1];
                double fade = 1 - sqrt(dx * dx + dy * dy) / GROUND_GRID_HALF_M;
                if (fade <= 0.05) continue;
                for (int k = 0; k < 3; k++) rgba[k] = (float) (LINE_FAR_RGB[k] + (LINE_RGB[k] - LINE_FAR_RGB[k]) * fade);
                mjvGeom *g = scn->geoms + scn->ngeom;
                mjv_initGeom(g, mjGEOM_LINE, NULL, NULL, NULL, rgba);
                mjv_makeConnector(g, mjGEOM_LINE, 2, x0, y0, z0 + 0.004, x1, y1, z1 + 0.004);
                g->category = mjCAT_DECOR;
                g->emission = 0;
                g->specular = 0;
                g->shininess = 0;
                g->reflectance = 0;
                scn->ngeom++;
            }
        }
    }
}

/* The simulation changed its height fields (a new terrain): copy them and upload them to GL again. */
static void sync_height_fields(trot_renderer *r, const mjModel *sim) {
    for (int h = 0; h < sim->nhfield; h++) {
        size_t n = (size_t) sim->hfield_nrow[h] * (size_t) sim->hfield_ncol[h];
        float *mine = r->m->hfield_data + r->m->hfield_adr[h];
        const float *theirs = sim->hfield_data + sim->hfield_adr[h];
        int changed = memcmp(mine, theirs, n * sizeof(float)) != 0
                      || memcmp(r->m->hfield_size + 4 * h, sim->hfield_size + 4 * h, 4 * sizeof(mjtNum)) != 0;
        if (changed) {
            memcpy(mine, theirs, n * sizeof(float));
            memcpy(r->m->hfield_size + 4 * h, sim->hfield_size + 4 * h, 4 * sizeof(mjtNum));
            mjr_uploadHField(r->m, &r->con, h);
        }
    }
    /* Where the task moved a ground geom (it may set the terrain's height offset). */
    memcpy(r->m->geom_pos, sim->geom_pos, 3 * sizeof(mjtNum) * (size_t) sim->ngeom);
}

int trot_render_frame(trot_renderer *r, const mjModel *sim, const mjtNum *qpos, unsigned char *rgb, char *why,
                      size_t why_size) {
    if (sim->nq != r->m->nq || sim->ngeom != r->m->ngeom || sim->nhfield != r->m->nhfield) {
        snprintf(why, why_size, "the renderer was made for another model");
        return -1;
    }
    if (make_current(r, why, why_size)) return -1;
    MUJOCO_GUARD({
        snprintf(why, why_size, "MuJoCo's renderer: %s", mujoco_message);
        release_current(r);
        return -1;
    });
    sync_height_fields(r, sim);
    memcpy(r->d->qpos, qpos, sizeof(mjtNum) * (size_t) r->m->nq);
    mj_kinematics(r->m, r->d);
    mj_comPos(r->m, r->d);
    mj_camlight(r->m, r->d);
    for (int i = 0; i < 3; i++) r->camera.lookat[i] = r->d->xpos[3 * r->track_body + i];
    mjv_updateScene(r->m, r->d, &r->option, NULL, &r->camera, mjCAT_ALL, &r->scene);
    add_ground_grid(r);
    if (r->scene.nlight < mjMAXLIGHT) {
        /* A sun from above the camera's side, casting shadows in high quality (the feet's show the contacts). */
        mjvLight *l = r->scene.lights + r->scene.nlight++;
        memset(l, 0, sizeof *l);
        l->directional = 1;
        l->castshadow = (mjtByte) r->shadows;
        double az = r->camera.azimuth * M_PI / 180;
        l->dir[0] = (float) (0.3 * cos(az));
        l->dir[1] = (float) (0.3 * sin(az));
        l->dir[2] = -1;
        for (int i = 0; i < 3; i++) {
            l->pos[i] = (float) r->camera.lookat[i] - 3 * l->dir[i];
            l->diffuse[i] = 0.55f;
            l->specular[i] = 0.2f;
            l->ambient[i] = 0.0f;
        }
        l->attenuation[0] = 1;
        l->cutoff = 180;
    }
    mjrRect viewport = {0, 0, r->width, r->height};
    mjr_setBuffer(mjFB_OFFSCREEN, &r->con);
    mjr_render(viewport, &r->scene, &r->con);
    mjr_readPixels(rgb, NULL, viewport, &r->con);
    MUJOCO_UNGUARD();
    release_current(r);
    /* OpenGL's rows start at the bottom. */
    size_t row = (size_t) r->width * 3;
    for (int y = 0; y < r->height / 2; y++) {
        unsigned char *a = rgb + (size_t) y * row, *b = rgb + (size_t) (r->height - 1 - y) * row;
        memcpy(r->flip, a, row);
        memcpy(a, b, row);
        memcpy(b, r->flip, row);
    }
    return 0;
}

int trot_render_width(const trot_renderer *r) { return r->width; }
int trot_render_height(const trot_renderer *r) { return r->height; }
const char *trot_render_describe(const trot_renderer *r) { return r->description; }

void trot_render_close(trot_renderer *r) {
    if (!r) return;
    int current = 0;
    if (r->context != EGL_NO_CONTEXT && (r->have_con || r->have_scene)) {
        current = eglMakeCurrent(r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, r->context);
    }
    if (r->have_con && current) mjr_freeContext(&r->con);
    if (r->have_scene) mjv_freeScene(&r->scene);
    if (current) release_current(r);
    if (r->context != EGL_NO_CONTEXT) eglDestroyContext(r->display, r->context);
    /* The display stays initialised: EGL displays are shared by every renderer of the process. */
    if (r->d) mj_deleteData(r->d);
    if (r->m) mj_deleteModel(r->m);
    free(r->flip);
    free(r);
}
