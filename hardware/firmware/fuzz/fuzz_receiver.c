/*
 * fuzz_receiver.c: libFuzzer target for the protocol receiver (core/proto.c).
 *
 * The input bytes are fed, one at a time, to one proto_receiver. For every frame it completes:
 *   - the result must equal that of an independent reference receiver written here from protocol.md section 1
 *     (a bitwise CRC-32C and a plain COBS decoder, not proto.c's table and decoder);
 *   - a frame accepted as PROTO_OK must be exactly the packet proto_pack makes of the decoded message: same length,
 *     same bytes, except the bytes the protocol says are ignored on receipt (reserved bytes, sent as 0) and the
 *     header version of a Hello/HelloAck (accepted with any version); the accepted packet's own CRC must be right.
 *     So no invalid frame is ever accepted, and decoding loses nothing.
 * Also: COBS encode/decode round-trips the input, and the receiver's counters add up.
 *
 *   clang -fsanitize=fuzzer,address,undefined fuzz/fuzz_receiver.c core/proto.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/proto.h"
#include "reference.h"

#define REQUIRE(cond)                                                                                        \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                     \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* Payload bytes ignored on receipt (reserved): set to 0 in a copy before comparing with proto_pack. */
static void zero_reserved(uint8_t *packet) {
    uint8_t *p = packet + PROTO_HEADER_BYTES;
    switch (packet[1]) {
    case PROTO_HELLO: memset(p + 2, 0, 2); memset(p + 12, 0, 4); break;
    case PROTO_HELLO_ACK: memset(p + 17, 0, 3); break;
    case PROTO_COMMAND: memset(p + 10, 0, 2); break;
    case PROTO_ARM: memset(p + 4, 0, 4); break;
    case PROTO_STATE: memset(p + 29, 0, 3); break;
    case PROTO_FAULT: memset(p + 17, 0, 3); break;
    default: break;
    }
}

static void check_accepted(const proto_receiver *r, const proto_message *m) {
    static uint8_t expect[PROTO_MAX_FRAME], repacked[PROTO_MAX_PACKET];
    size_t n = r->packet_length, k;
    uint32_t crc;
    REQUIRE(proto_payload_length(m->type) >= 0);
    REQUIRE(n == PROTO_HEADER_BYTES + (size_t)proto_payload_length(m->type) + PROTO_CRC_BYTES);
    /* The accepted packet's CRC is right (by the bitwise reference). */
    crc = ref_crc32c(r->packet, n - 4);
    REQUIRE(r->packet[n - 4] == (uint8_t)crc && r->packet[n - 3] == (uint8_t)(crc >> 8)
            && r->packet[n - 2] == (uint8_t)(crc >> 16) && r->packet[n - 1] == (uint8_t)(crc >> 24));
    /* The version is 1, except for the frozen-layout Hello and HelloAck. */
    if (r->packet[0] != PROTO_VERSION)
        REQUIRE(m->type == PROTO_HELLO || m->type == PROTO_HELLO_ACK);
    /* Repacking reproduces the packet, ignored bytes aside. */
    memcpy(expect, r->packet, n);
    expect[0] = (uint8_t)PROTO_VERSION;
    zero_reserved(expect);
    crc = ref_crc32c(expect, n - 4);
    for (k = 0; k < 4; k++)
        expect[n - 4 + k] = (uint8_t)(crc >> (8 * k));
    REQUIRE(proto_pack(m, repacked) == n);
    REQUIRE(memcmp(repacked, expect, n) == 0);
    /* And unpacking the repacked packet gives the same message back. */
    {
        proto_message again;
        REQUIRE(proto_unpack(repacked, n, &again) == PROTO_OK);
        REQUIRE(proto_pack(&again, expect) == n);
        REQUIRE(memcmp(repacked, expect, n) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static proto_receiver r;
    static uint8_t frame[1 << 16], decoded[1 << 16], cobs[(1 << 16) + (1 << 16) / 254 + 2];
    proto_message m;
    size_t i, frame_n = 0, results = 0;
    uint32_t total;
    int overflow = 0, k;

    if (size > (1 << 16))
        return 0;
    proto_receiver_init(&r);
    for (i = 0; i < size; i++) {
        int got = proto_receiver_feed(&r, data[i], &m), want = -1;
        /* The reference receiver, in step. */
        if (data[i] != 0) {
            if (frame_n < PROTO_MAX_FRAME)
                frame[frame_n++] = data[i];
            else
                overflow = 1;
        } else {
            if (overflow) {
                want = PROTO_ERR_TOO_LONG;
            } else if (frame_n > 0) {
                long n = ref_uncobs(frame, frame_n, decoded);
                want = n < 0 ? PROTO_ERR_COBS : ref_check(decoded, (size_t)n);
            }
            frame_n = 0;
            overflow = 0;
        }
        if (got != want) {
            fprintf(stderr, "byte %zu: receiver %d (%s), reference %d (%s)\n", i, got, proto_error_name(got), want,
                    proto_error_name(want));
            abort();
        }
        if (got >= 0)
            results++;
        if (got == PROTO_OK)
            check_accepted(&r, &m);
    }
    total = r.good;
    for (k = 0; k < PROTO_ERR_COUNT; k++)
        total += r.errors[k];
    REQUIRE(r.errors[PROTO_OK] == 0);
    REQUIRE(total == results);

    /* COBS round trip of the raw input. */
    {
        size_t n = proto_cobs_encode(data, size, cobs);
        long d;
        REQUIRE(n <= size + size / 254 + 1);
        REQUIRE(memchr(cobs, 0, n) == NULL);
        d = proto_cobs_decode(cobs, n, decoded);
        REQUIRE(d == (long)size);
        REQUIRE(memcmp(decoded, data, size) == 0);
        /* proto_cobs_decode agrees with the reference on arbitrary input (zeros inside included). */
        {
            long a = proto_cobs_decode(data, size, decoded);
            long b;
            int has_zero = memchr(data, 0, size) != NULL;
            b = has_zero ? -1 : ref_uncobs(data, size, frame);
            REQUIRE(a == b);
            if (a > 0)
                REQUIRE(memcmp(decoded, frame, (size_t)a) == 0);
        }
    }
    return 0;
}
