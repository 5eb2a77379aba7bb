/*
 * faults.h: a seeded fault injector for a framed serial line (COBS frames delimited by 0x00, protocol.md section 1).
 *
 * It sits between two ends of a byte stream, one injector per link with one lane per direction. Bytes pushed into a
 * lane are split into frames at each 0x00; every complete, non-empty frame independently draws each fault at its
 * rate, and what survives comes out of the lane's pull side:
 *
 *   drop       the frame is lost
 *   corrupt    one random bit of one random non-delimiter byte is flipped (never producing a 0x00: if that bit
 *              would, another bit of the same byte is flipped instead), so the frame stays one frame
 *   duplicate  the frame is delivered twice
 *   delay:MS   the frame is delivered MS milliseconds late; later frames are not held back, so it may arrive after
 *              newer ones
 *   reorder    the frame swaps places with the next frame of its lane (it is held until that frame has been
 *              delivered, or at most FAULTS_REORDER_HOLD_US when no next frame comes)
 *   unplug:MS  both directions: the link goes away for MS milliseconds; everything queued and everything pushed
 *              meanwhile is discarded. The owner of the real port (the emulator) closes it and opens a new one.
 *
 * No OS calls: time is the caller's (microseconds, monotonic), so the injector runs on buffers in simulated time as
 * well as on a pseudo-terminal in real time. All state lives in a faults_t the caller owns (about 0.6 MB: allocate
 * it statically or on the heap, not on a small stack).
 */
#ifndef TROT_SITL_FAULTS_H
#define TROT_SITL_FAULTS_H

#include <stddef.h>
#include <stdint.h>
#include "rng.h"

enum { FAULTS_TO_DEVICE = 0, FAULTS_TO_HOST = 1, FAULTS_DIRS = 2 };
enum { FAULT_DROP, FAULT_CORRUPT, FAULT_DUPLICATE, FAULT_DELAY, FAULT_REORDER, FAULT_UNPLUG, FAULT_KINDS };

#define FAULTS_FRAME_MAX 1024      /* longer runs without a 0x00 are passed through as they are, unfaulted */
#define FAULTS_FIFO_BYTES 65536    /* per lane: bytes ready to be pulled */
#define FAULTS_MAX_DELAYED 256     /* per lane: frames in flight on a delay; a frame beyond that is not delayed */
#define FAULTS_REORDER_HOLD_US 100000u

typedef struct {
    double rate[FAULT_KINDS]; /* probability per frame, 0 .. 1 */
    uint32_t delay_ms;        /* for FAULT_DELAY */
    uint32_t unplug_ms;       /* for FAULT_UNPLUG */
} faults_spec;

/* Parses "drop=0.01,corrupt=0.001,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300" (any subset, any
   order; "" or "none" = no faults). delay and unplug need ":MS" (1 .. 60000). Returns 0, or -1 with a message in
   why. */
int faults_parse(const char *text, faults_spec *spec, char *why, size_t why_size);
/* The spec in the same syntax ("none" when no rate is set). */
void faults_format(const faults_spec *spec, char *out, size_t size);
/* "drop", "corrupt", ... ; "to_device", "to_host". */
const char *faults_kind_name(int kind);
const char *faults_dir_name(int dir);
/* 1 when some rate is non-zero. */
int faults_active(const faults_spec *spec);

typedef struct {
    uint64_t due_us;
    uint16_t length;
    uint8_t bytes[FAULTS_FRAME_MAX];
} faults_frame;

typedef struct {
    uint8_t pending[FAULTS_FRAME_MAX]; /* the frame being accumulated */
    size_t pending_length;
    uint8_t fifo[FAULTS_FIFO_BYTES];   /* ready bytes (whole frames), a ring */
    size_t fifo_head, fifo_count;
    faults_frame delayed[FAULTS_MAX_DELAYED]; /* a ring, in due order (every delay has the same length) */
    int delayed_head, delayed_count;
    faults_frame held;                 /* a frame waiting to be swapped with the next */
    int have_held, held_copies;
    uint64_t held_since_us;

    uint64_t frames;                   /* non-empty frames seen */
    uint64_t injected[FAULT_KINDS];    /* faults applied, by kind (FAULT_UNPLUG: the unplugs this lane triggered) */
    uint64_t overflow_bytes;           /* bytes lost because the fifo was full (a reader that never reads) */
    uint64_t discarded_bytes;          /* bytes discarded while unplugged */
} faults_lane;

/* Called for each fault applied (for logs and tests). frame is the frame as it was before the fault (for corrupt,
   before the bit flip), with its 0x00. May be NULL. */
typedef void (*faults_observer)(void *ctx, int dir, int kind, const uint8_t *frame, size_t length, uint64_t now_us);

typedef struct {
    faults_spec spec;
    sitl_rng rng;
    faults_lane lane[FAULTS_DIRS];
    int unplugged;
    uint64_t unplugged_until_us;
    uint64_t unplugs;
    faults_observer observer;
    void *observer_ctx;
} faults_t;

void faults_init(faults_t *f, const faults_spec *spec, uint64_t seed);
/* Bytes entering lane dir at time now_us. */
void faults_push(faults_t *f, int dir, const uint8_t *bytes, size_t n, uint64_t now_us);
/* Bytes leaving lane dir at time now_us: up to max into out; returns the count. Releases due frames first. */
size_t faults_pull(faults_t *f, int dir, uint8_t *out, size_t max, uint64_t now_us);
/* Bytes ready to be pulled from lane dir (not counting delayed or held frames). */
size_t faults_ready(const faults_t *f, int dir);
/* Advances time without pulling: releases due delayed frames, timed-out held frames, ends an unplug.
   Returns 1 while the link is unplugged. */
int faults_update(faults_t *f, uint64_t now_us);
static inline int faults_unplugged(const faults_t *f) { return f->unplugged; }
/* Discards everything queued in both lanes (a port that was closed and reopened). Counters stay. */
void faults_flush(faults_t *f);

#endif
