/*
 * reference.h: an independent reading of protocol.md section 1 for the fuzz harnesses: a bitwise CRC-32C, a plain
 * COBS decoder and the receive checks 4..9, written without looking at core/proto.c's table and loops. The harnesses
 * compile this without libFuzzer's coverage, so it neither steers the fuzzer nor slows it down.
 */
#ifndef TROT_FUZZ_REFERENCE_H
#define TROT_FUZZ_REFERENCE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../core/proto.h"

static uint32_t ref_crc32c(const uint8_t *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
    }
    return crc ^ 0xFFFFFFFFu;
}

/* Decoded length, or -1. */
static long ref_uncobs(const uint8_t *in, size_t n, uint8_t *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        size_t code = in[i];
        if (code == 0 || i + code > n)
            return -1;
        memcpy(out + o, in + i + 1, code - 1);
        o += code - 1;
        i += code;
        if (code < 255 && i < n)
            out[o++] = 0;
    }
    return (long)o;
}

static int ref_payload_length(int type) {
    switch (type) {
    case 0x01: return 16;
    case 0x02: return 36;
    case 0x10: return 208;
    case 0x11: return 8;
    case 0x20: return 280;
    case 0x30: return 32;
    case 0x40: return 4;
    case 0x50: return 24;
    default: return -1;
    }
}

static int ref_check(const uint8_t *p, size_t n) {
    size_t length;
    if (n < 12)
        return PROTO_ERR_TOO_SHORT;
    if (ref_crc32c(p, n - 4)
        != ((uint32_t)p[n - 4] | ((uint32_t)p[n - 3] << 8) | ((uint32_t)p[n - 2] << 16) | ((uint32_t)p[n - 1] << 24)))
        return PROTO_ERR_CRC;
    if (p[0] != 1 && p[1] != 0x01 && p[1] != 0x02)
        return PROTO_ERR_VERSION;
    length = (size_t)p[2] | ((size_t)p[3] << 8);
    if (12 + length != n)
        return PROTO_ERR_LENGTH;
    if (ref_payload_length(p[1]) < 0)
        return PROTO_ERR_TYPE;
    if ((size_t)ref_payload_length(p[1]) != length)
        return PROTO_ERR_PAYLOAD_LENGTH;
    return PROTO_OK;
}

#endif
