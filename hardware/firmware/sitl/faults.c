/*
 * faults.c: the seeded fault injector (faults.h).
 */
#include "faults.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[FAULT_KINDS] = {"drop", "corrupt", "duplicate", "delay", "reorder", "unplug"};
static const char *const dir_names[FAULTS_DIRS] = {"to_device", "to_host"};

const char *faults_kind_name(int kind) { return kind >= 0 && kind < FAULT_KINDS ? kind_names[kind] : "?"; }
const char *faults_dir_name(int dir) { return dir >= 0 && dir < FAULTS_DIRS ? dir_names[dir] : "?"; }

int faults_active(const faults_spec *spec) {
    for (int k = 0; k < FAULT_KINDS; k++)
        if (spec->rate[k] > 0) return 1;
    return 0;
}

/* ---- spec parsing ----------------------------------------------------------------------------------------- */

static int parse_one(const char *item, size_t n, faults_spec *spec, int seen[FAULT_KINDS], char *why,
                     size_t why_size) {
    char buf[128];
    if (n == 0) {
        snprintf(why, why_size, "empty item (two commas in a row, or a comma at an end)");
        return -1;
    }
    if (n >= sizeof buf) {
        snprintf(why, why_size, "item too long: '%.40s...'", item);
        return -1;
    }
    memcpy(buf, item, n);
    buf[n] = 0;
    char *eq = strchr(buf, '=');
    if (!eq) {
        snprintf(why, why_size, "'%s' is not KIND=RATE (kinds: drop, corrupt, duplicate, delay, reorder, unplug)",
                 buf);
        return -1;
    }
    *eq = 0;
    int kind = -1;
    for (int k = 0; k < FAULT_KINDS; k++)
        if (!strcmp(buf, kind_names[k])) kind = k;
    if (kind < 0) {
        snprintf(why, why_size, "unknown fault kind '%s' (kinds: drop, corrupt, duplicate, delay, reorder, unplug)",
                 buf);
        return -1;
    }
    if (seen[kind]) {
        snprintf(why, why_size, "'%s' is given twice", buf);
        return -1;
    }
    seen[kind] = 1;
    char *value = eq + 1;
    char *colon = strchr(value, ':');
    int wants_ms = kind == FAULT_DELAY || kind == FAULT_UNPLUG;
    if (colon) *colon = 0;
    errno = 0;
    char *end = NULL;
    double rate = strtod(value, &end);
    if (!*value || *end || errno || !isfinite(rate) || rate < 0 || rate > 1) {
        snprintf(why, why_size, "%s: the rate '%s' is not a probability per frame in [0, 1]", buf, value);
        return -1;
    }
    spec->rate[kind] = rate;
    if (wants_ms) {
        if (!colon) {
            snprintf(why, why_size, "%s needs a duration: %s=RATE:MS (for example %s=0.01:%s)", buf, buf, buf,
                     kind == FAULT_DELAY ? "20" : "300");
            return -1;
        }
        const char *ms_text = colon + 1;
        errno = 0;
        unsigned long ms = strtoul(ms_text, &end, 10);
        if (!*ms_text || *end || errno || ms < 1 || ms > 60000 || *ms_text == '-' || *ms_text == '+') {
            snprintf(why, why_size, "%s: the duration '%s' is not a whole number of milliseconds in 1 .. 60000", buf,
                     ms_text);
            return -1;
        }
        if (kind == FAULT_DELAY) spec->delay_ms = (uint32_t) ms;
        else spec->unplug_ms = (uint32_t) ms;
    } else if (colon) {
        snprintf(why, why_size, "%s takes no duration (only delay and unplug do): '%s=%s:%s'", buf, buf, value,
                 colon + 1);
        return -1;
    }
    return 0;
}

int faults_parse(const char *text, faults_spec *spec, char *why, size_t why_size) {
    memset(spec, 0, sizeof *spec);
    if (!text || !*text || !strcmp(text, "none")) return 0;
    int seen[FAULT_KINDS] = {0};
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t) (comma - p) : strlen(p);
        if (parse_one(p, n, spec, seen, why, why_size)) {
            memset(spec, 0, sizeof *spec);
            return -1;
        }
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

void faults_format(const faults_spec *spec, char *out, size_t size) {
    size_t used = 0;
    out[0] = 0;
    for (int k = 0; k < FAULT_KINDS; k++) {
        if (!(spec->rate[k] > 0)) continue;
        int w;
        if (k == FAULT_DELAY || k == FAULT_UNPLUG)
            w = snprintf(out + used, size - used, "%s%s=%g:%u", used ? "," : "", kind_names[k], spec->rate[k],
                         (unsigned) (k == FAULT_DELAY ? spec->delay_ms : spec->unplug_ms));
        else
            w = snprintf(out + used, size - used, "%s%s=%g", used ? "," : "", kind_names[k], spec->rate[k]);
        if (w < 0 || (size_t) w >= size - used) return;
        used += (size_t) w;
    }
    if (!used) snprintf(out, size, "none");
}

/* ---- lanes ------------------------------------------------------------------------------------------------ */

static void fifo_put(faults_lane *l, const uint8_t *b, size_t n) {
    if (FAULTS_FIFO_BYTES - l->fifo_count < n) { /* whole frames or nothing, so frames never interleave */
        l->overflow_bytes += n;
        return;
    }
    size_t tail = (l->fifo_head + l->fifo_count) % FAULTS_FIFO_BYTES;
    size_t first = FAULTS_FIFO_BYTES - tail;
    if (first > n) first = n;
    memcpy(l->fifo + tail, b, first);
    memcpy(l->fifo, b + first, n - first);
    l->fifo_count += n;
}

static void emit(faults_lane *l, const uint8_t *b, size_t n, int copies) {
    for (int i = 0; i < copies; i++) fifo_put(l, b, n);
}

static void release_held(faults_lane *l) {
    if (!l->have_held) return;
    emit(l, l->held.bytes, l->held.length, l->held_copies);
    l->have_held = 0;
}

static void observe(faults_t *f, int dir, int kind, const uint8_t *frame, size_t n, uint64_t now_us) {
    f->lane[dir].injected[kind]++;
    if (f->observer) f->observer(f->observer_ctx, dir, kind, frame, n, now_us);
}

static void lane_clear(faults_lane *l) {
    l->pending_length = 0;
    l->fifo_head = l->fifo_count = 0;
    l->delayed_head = l->delayed_count = 0;
    l->have_held = 0;
}

void faults_flush(faults_t *f) {
    for (int d = 0; d < FAULTS_DIRS; d++) lane_clear(&f->lane[d]);
}

/* A complete non-empty frame (with its 0x00) in lane dir. */
static void process_frame(faults_t *f, int dir, uint8_t *frame, size_t n, uint64_t now_us) {
    faults_lane *l = &f->lane[dir];
    const double *rate = f->spec.rate;
    l->frames++;
    /* One draw per kind for every frame, so the faults of one kind do not depend on the rates of the others. */
    double u[FAULT_KINDS];
    for (int k = 0; k < FAULT_KINDS; k++) u[k] = sitl_rng_uniform(&f->rng);

    if (u[FAULT_UNPLUG] < rate[FAULT_UNPLUG]) {
        observe(f, dir, FAULT_UNPLUG, frame, n, now_us);
        f->unplugged = 1;
        f->unplugged_until_us = now_us + (uint64_t) f->spec.unplug_ms * 1000u;
        f->unplugs++;
        faults_flush(f);
        return;
    }
    if (u[FAULT_DROP] < rate[FAULT_DROP]) {
        observe(f, dir, FAULT_DROP, frame, n, now_us);
        return;
    }
    if (u[FAULT_CORRUPT] < rate[FAULT_CORRUPT]) {
        observe(f, dir, FAULT_CORRUPT, frame, n, now_us);
        uint32_t i = sitl_rng_below(&f->rng, (uint32_t) (n - 1)); /* not the delimiter */
        uint32_t bit = sitl_rng_below(&f->rng, 8);
        if ((uint8_t) (frame[i] ^ (1u << bit)) == 0) bit = (bit + 1 + sitl_rng_below(&f->rng, 7)) % 8;
        frame[i] ^= (uint8_t) (1u << bit);
    }
    int copies = 1;
    if (u[FAULT_DUPLICATE] < rate[FAULT_DUPLICATE]) {
        observe(f, dir, FAULT_DUPLICATE, frame, n, now_us);
        copies = 2;
    }
    if (u[FAULT_DELAY] < rate[FAULT_DELAY] && l->delayed_count + copies <= FAULTS_MAX_DELAYED) {
        observe(f, dir, FAULT_DELAY, frame, n, now_us);
        for (int c = 0; c < copies; c++) {
            faults_frame *slot = &l->delayed[(l->delayed_head + l->delayed_count) % FAULTS_MAX_DELAYED];
            slot->due_us = now_us + (uint64_t) f->spec.delay_ms * 1000u;
            slot->length = (uint16_t) n;
            memcpy(slot->bytes, frame, n);
            l->delayed_count++;
        }
        return; /* out of the ordered stream: a held frame keeps waiting for the next frame */
    }
    if (u[FAULT_REORDER] < rate[FAULT_REORDER] && !l->have_held) {
        observe(f, dir, FAULT_REORDER, frame, n, now_us);
        memcpy(l->held.bytes, frame, n);
        l->held.length = (uint16_t) n;
        l->held_copies = copies;
        l->have_held = 1;
        l->held_since_us = now_us;
        return;
    }
    emit(l, frame, n, copies);
    release_held(l);
}

static void lane_update(faults_lane *l, uint64_t now_us) {
    while (l->delayed_count > 0 && l->delayed[l->delayed_head].due_us <= now_us) {
        faults_frame *fr = &l->delayed[l->delayed_head];
        fifo_put(l, fr->bytes, fr->length);
        l->delayed_head = (l->delayed_head + 1) % FAULTS_MAX_DELAYED;
        l->delayed_count--;
    }
    if (l->have_held && now_us - l->held_since_us >= FAULTS_REORDER_HOLD_US) release_held(l);
}

void faults_init(faults_t *f, const faults_spec *spec, uint64_t seed) {
    memset(f, 0, sizeof *f);
    f->spec = *spec;
    sitl_rng_seed(&f->rng, seed);
}

int faults_update(faults_t *f, uint64_t now_us) {
    if (f->unplugged && now_us >= f->unplugged_until_us) f->unplugged = 0;
    if (!f->unplugged)
        for (int d = 0; d < FAULTS_DIRS; d++) lane_update(&f->lane[d], now_us);
    return f->unplugged;
}

void faults_push(faults_t *f, int dir, const uint8_t *bytes, size_t n, uint64_t now_us) {
    faults_update(f, now_us);
    for (size_t i = 0; i < n; i++) {
        faults_lane *l = &f->lane[dir];
        if (f->unplugged) {
            l->discarded_bytes += n - i;
            return;
        }
        uint8_t b = bytes[i];
        if (b == 0) {
            if (l->pending_length == 0) {
                fifo_put(l, &b, 1); /* an empty frame: a flush byte, passed as it is */
            } else {
                l->pending[l->pending_length++] = 0;
                size_t len = l->pending_length;
                l->pending_length = 0;
                process_frame(f, dir, l->pending, len, now_us);
            }
        } else {
            if (l->pending_length == FAULTS_FRAME_MAX - 1) { /* no delimiter in sight: pass it through */
                fifo_put(l, l->pending, l->pending_length);
                l->pending_length = 0;
            }
            l->pending[l->pending_length++] = b;
        }
    }
}

size_t faults_pull(faults_t *f, int dir, uint8_t *out, size_t max, uint64_t now_us) {
    faults_update(f, now_us);
    faults_lane *l = &f->lane[dir];
    size_t n = l->fifo_count < max ? l->fifo_count : max;
    size_t first = FAULTS_FIFO_BYTES - l->fifo_head;
    if (first > n) first = n;
    memcpy(out, l->fifo + l->fifo_head, first);
    memcpy(out + first, l->fifo, n - first);
    l->fifo_head = (l->fifo_head + n) % FAULTS_FIFO_BYTES;
    l->fifo_count -= n;
    return n;
}

size_t faults_ready(const faults_t *f, int dir) { return f->lane[dir].fifo_count; }
