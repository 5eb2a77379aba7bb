/*
 * test_proto.c: the C protocol implementation (core/proto.c) against the shared vectors
 * (hardware/protocol/vectors.txt, written by an independent Python implementation) and its own properties.
 *
 *   test_proto ../protocol/vectors.txt
 */
#include <stddef.h>
#include <stdlib.h>

#include "../core/proto.h"
#include "check.h"

/* ---- a table of every message field, to parse, compare and randomise messages generically ------------------ */

enum kind { U8, U16, U32, U64, F32, STR16 };
typedef struct {
    int type;
    const char *name;
    enum kind kind;
    int count;
    size_t offset; /* within proto_message */
} field;

#define F(type, member, name, kind, count) {type, name, kind, count, offsetof(proto_message, u.member)}
static const field FIELDS[] = {
    F(PROTO_HELLO, hello.protocol_version, "protocol_version", U16, 1),
    F(PROTO_HELLO, hello.session, "session", U32, 1),
    F(PROTO_HELLO, hello.state_period_us, "state_period_us", U32, 1),
    F(PROTO_HELLO_ACK, hello_ack.protocol_version, "protocol_version", U16, 1),
    F(PROTO_HELLO_ACK, hello_ack.status, "status", U8, 1),
    F(PROTO_HELLO_ACK, hello_ack.joints, "joints", U8, 1),
    F(PROTO_HELLO_ACK, hello_ack.session, "session", U32, 1),
    F(PROTO_HELLO_ACK, hello_ack.state_period_us, "state_period_us", U32, 1),
    F(PROTO_HELLO_ACK, hello_ack.firmware_version, "firmware_version", U32, 1),
    F(PROTO_HELLO_ACK, hello_ack.feet, "feet", U8, 1),
    F(PROTO_HELLO_ACK, hello_ack.robot, "robot", STR16, 1),
    F(PROTO_COMMAND, command.host_time_us, "host_time_us", U64, 1),
    F(PROTO_COMMAND, command.mode, "mode", U8, 1),
    F(PROTO_COMMAND, command.flags, "flags", U8, 1),
    F(PROTO_COMMAND, command.interp_us, "interp_us", U32, 1),
    F(PROTO_COMMAND, command.q_target, "q_target", F32, PROTO_JOINTS),
    F(PROTO_COMMAND, command.kp, "kp", F32, PROTO_JOINTS),
    F(PROTO_COMMAND, command.kd, "kd", F32, PROTO_JOINTS),
    F(PROTO_COMMAND, command.tau_ff, "tau_ff", F32, PROTO_JOINTS),
    F(PROTO_ARM, arm.clear_faults, "clear_faults", U32, 1),
    F(PROTO_STATE, state.fw_time_us, "fw_time_us", U64, 1),
    F(PROTO_STATE, state.echo_host_time_us, "echo_host_time_us", U64, 1),
    F(PROTO_STATE, state.last_command_seq, "last_command_seq", U32, 1),
    F(PROTO_STATE, state.faults, "faults", U32, 1),
    F(PROTO_STATE, state.status, "status", U32, 1),
    F(PROTO_STATE, state.mode, "mode", U8, 1),
    F(PROTO_STATE, state.quat, "quat", F32, 4),
    F(PROTO_STATE, state.gyro, "gyro", F32, 3),
    F(PROTO_STATE, state.accel, "accel", F32, 3),
    F(PROTO_STATE, state.q, "q", F32, PROTO_JOINTS),
    F(PROTO_STATE, state.dq, "dq", F32, PROTO_JOINTS),
    F(PROTO_STATE, state.tau_est, "tau_est", F32, PROTO_JOINTS),
    F(PROTO_STATE, state.temp_c, "temp_c", F32, PROTO_JOINTS),
    F(PROTO_STATE, state.foot_force, "foot_force", F32, PROTO_FEET),
    F(PROTO_HEARTBEAT, heartbeat.time_us, "time_us", U64, 1),
    F(PROTO_HEARTBEAT, heartbeat.echo_time_us, "echo_time_us", U64, 1),
    F(PROTO_HEARTBEAT, heartbeat.rx_ok, "rx_ok", U32, 1),
    F(PROTO_HEARTBEAT, heartbeat.rx_bad, "rx_bad", U32, 1),
    F(PROTO_HEARTBEAT, heartbeat.commands_applied, "commands_applied", U32, 1),
    F(PROTO_HEARTBEAT, heartbeat.commands_rejected, "commands_rejected", U32, 1),
    F(PROTO_ESTOP, estop.reason, "reason", U32, 1),
    F(PROTO_FAULT, fault.fw_time_us, "fw_time_us", U64, 1),
    F(PROTO_FAULT, fault.fault, "fault", U32, 1),
    F(PROTO_FAULT, fault.faults, "faults", U32, 1),
    F(PROTO_FAULT, fault.joint, "joint", U8, 1),
    F(PROTO_FAULT, fault.value, "value", F32, 1),
};
#define NFIELDS ((int)(sizeof FIELDS / sizeof FIELDS[0]))

static const int TYPES[] = {PROTO_HELLO, PROTO_HELLO_ACK, PROTO_COMMAND, PROTO_ARM,
                            PROTO_STATE, PROTO_HEARTBEAT, PROTO_ESTOP, PROTO_FAULT};
#define NTYPES ((int)(sizeof TYPES / sizeof TYPES[0]))

static int type_by_name(const char *name) {
    int i;
    for (i = 0; i < NTYPES; i++)
        if (strcmp(proto_type_name(TYPES[i]), name) == 0)
            return TYPES[i];
    return -1;
}

static const field *field_by_name(int type, const char *name) {
    int i;
    for (i = 0; i < NFIELDS; i++)
        if (FIELDS[i].type == type && strcmp(FIELDS[i].name, name) == 0)
            return &FIELDS[i];
    return NULL;
}

/* Element k of a field as bits (floats bitwise; strings are compared separately). */
static uint64_t get_bits(const proto_message *m, const field *f, int k) {
    const unsigned char *p = (const unsigned char *)m + f->offset;
    switch (f->kind) {
    case U8: { uint8_t v; memcpy(&v, p + k, 1); return v; }
    case U16: { uint16_t v; memcpy(&v, p + 2 * k, 2); return v; }
    case U32: { uint32_t v; memcpy(&v, p + 4 * k, 4); return v; }
    case U64: { uint64_t v; memcpy(&v, p + 8 * k, 8); return v; }
    case F32: { uint32_t v; memcpy(&v, p + 4 * k, 4); return v; }
    case STR16: return p[k];
    }
    return 0;
}

static void set_bits(proto_message *m, const field *f, int k, uint64_t bits) {
    unsigned char *p = (unsigned char *)m + f->offset;
    switch (f->kind) {
    case U8: { uint8_t v = (uint8_t)bits; memcpy(p + k, &v, 1); break; }
    case U16: { uint16_t v = (uint16_t)bits; memcpy(p + 2 * k, &v, 2); break; }
    case U32: case F32: { uint32_t v = (uint32_t)bits; memcpy(p + 4 * k, &v, 4); break; }
    case U64: memcpy(p + 8 * k, &bits, 8); break;
    case STR16: p[k] = (unsigned char)bits; break;
    }
}

static int elements(const field *f) { return f->kind == STR16 ? 16 : f->count; }

/* Every field of a's type equal in a and b; reports each difference. Returns 1 when equal. */
static int same_fields(const proto_message *a, const proto_message *b, const char *what) {
    int i, k, ok = 1;
    char msg[200];
    if (!CHECK_EQ_U(a->type, b->type) || !CHECK_EQ_U(a->seq, b->seq))
        return 0;
    for (i = 0; i < NFIELDS; i++) {
        const field *f = &FIELDS[i];
        if (f->type != a->type)
            continue;
        for (k = 0; k < elements(f); k++)
            if (get_bits(a, f, k) != get_bits(b, f, k)) {
                snprintf(msg, sizeof msg, "%s: field %s[%d]: 0x%llx != 0x%llx", what, f->name, k,
                         (unsigned long long)get_bits(a, f, k), (unsigned long long)get_bits(b, f, k));
                check_report(0, __FILE__, __LINE__, msg);
                ok = 0;
                break;
            }
    }
    return ok;
}

/* ---- vectors.txt ---------------------------------------------------------------------------------------------- */

#define MAX_WIRE_HEX 4096
#define MAX_EXPECT 16

typedef struct {
    char name[80];
    char kind[16];
    uint8_t wire[MAX_WIRE_HEX];
    size_t wire_n;
    int type;
    uint32_t seq;
    proto_message fields; /* valid: the fields listed */
    int listed[sizeof FIELDS / sizeof FIELDS[0]];
    int bad_line;         /* a line of the vector could not be parsed */
    char error[32];
    char expect[MAX_EXPECT][64];
    int n_expect;
} vector;

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *n) {
    size_t i = 0;
    while (s[0] && s[0] != '\n' && s[0] != '\r') {
        int hi = hex_value((unsigned char)s[0]), lo = hex_value((unsigned char)s[1]);
        if (hi < 0 || lo < 0 || i >= max)
            return 0;
        out[i++] = (uint8_t)(hi * 16 + lo);
        s += 2;
    }
    *n = i;
    return 1;
}

static void strip(char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* A payload field line "name v v v" of a valid vector. */
static int parse_field(vector *v, const char *name, char *values) {
    const field *f;
    int k = 0;
    char *p = values, *end;
    if (v->type < 0 || (f = field_by_name(v->type, name)) == NULL)
        return 0;
    v->listed[f - FIELDS]++;
    if (f->kind == STR16) {
        size_t n = strlen(values);
        if (n > 16)
            return 0;
        for (k = 0; k < 16; k++)
            set_bits(&v->fields, f, k, k < (int)n ? (unsigned char)values[k] : 0u);
        return 1;
    }
    for (k = 0; k < f->count; k++) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return 0;
        if (f->kind == F32) {
            float x = strtof(p, &end);
            set_bits(&v->fields, f, k, check_float_bits(x));
        } else {
            set_bits(&v->fields, f, k, (uint64_t)strtoull(p, &end, 10));
        }
        if (end == p)
            return 0;
        p = end;
    }
    while (*p == ' ')
        p++;
    return *p == '\0'; /* exactly count values */
}

/* Feeds bytes to a fresh receiver; writes "ok TYPE seq" / "error kind" results. Returns the count. */
static int receive_all(const uint8_t *bytes, size_t n, char results[][64], int max, proto_message *last_ok,
                       proto_receiver *r) {
    proto_message m;
    size_t i;
    int count = 0;
    proto_receiver_init(r);
    for (i = 0; i < n; i++) {
        int e = proto_receiver_feed(r, bytes[i], &m);
        if (e < 0)
            continue;
        if (count < max) {
            if (e == PROTO_OK)
                snprintf(results[count], 64, "ok %s %lu", proto_type_name(m.type), (unsigned long)m.seq);
            else
                snprintf(results[count], 64, "error %s", proto_error_name(e));
        }
        if (e == PROTO_OK && last_ok != NULL)
            *last_ok = m;
        count++;
    }
    return count;
}

static int n_valid, n_invalid, n_stream;

static void check_vector(vector *v) {
    static proto_receiver r;
    char results[MAX_EXPECT][64];
    proto_message got, unpacked;
    uint8_t wire[PROTO_MAX_WIRE], packet[PROTO_MAX_FRAME];
    int count, i, k;

    check_begin(v->name);
    CHECK(!v->bad_line);
    CHECK(v->wire_n > 0);
    if (strcmp(v->kind, "valid") == 0) {
        n_valid++;
        memset(&got, 0, sizeof got);
        count = receive_all(v->wire, v->wire_n, results, MAX_EXPECT, &got, &r);
        if (CHECK_EQ_I(count, 1)) {
            char want[64];
            snprintf(want, sizeof want, "ok %s %lu", proto_type_name(v->type), (unsigned long)v->seq);
            CHECK(strcmp(results[0], want) == 0);
        }
        CHECK_EQ_U(r.good, 1);
        CHECK_EQ_U(r.length, 0);
        /* Every field of the type listed exactly once... */
        for (i = 0; i < NFIELDS; i++)
            if (FIELDS[i].type == v->type && !CHECK_EQ_I(v->listed[i], 1))
                printf("    field %s listed %d times\n", FIELDS[i].name, v->listed[i]);
        /* ...decoded to exactly those values... */
        v->fields.type = (uint8_t)v->type;
        v->fields.seq = v->seq;
        same_fields(&got, &v->fields, "decoded");
        /* ...and also through the two steps of the receiver. */
        {
            long n = proto_cobs_decode(v->wire, v->wire_n - 1, packet);
            CHECK(n > 0);
            if (n > 0) {
                CHECK_EQ_I(proto_unpack(packet, (size_t)n, &unpacked), PROTO_OK);
                same_fields(&unpacked, &v->fields, "unpacked");
                CHECK_EQ_U(r.packet_length, (size_t)n);
            }
        }
        /* The listed fields encode to exactly the wire bytes. The header version is not one of the listed fields;
           it is 1 except for the Hello of another version (hello_version2), whose version is taken from the wire. */
        {
            uint8_t version = r.packet[0];
            size_t n = proto_encode_version(&v->fields, version, wire);
            CHECK_EQ_U(n, v->wire_n);
            CHECK(n == v->wire_n && memcmp(wire, v->wire, n) == 0);
            if (version == PROTO_VERSION) {
                n = proto_encode(&v->fields, wire);
                CHECK(n == v->wire_n && memcmp(wire, v->wire, n) == 0);
            } else {
                CHECK(v->type == PROTO_HELLO || v->type == PROTO_HELLO_ACK);
            }
        }
    } else if (strcmp(v->kind, "invalid") == 0) {
        int e = -1;
        n_invalid++;
        count = receive_all(v->wire, v->wire_n, results, MAX_EXPECT, NULL, &r);
        if (CHECK_EQ_I(count, 1)) {
            char want[64];
            snprintf(want, sizeof want, "error %s", v->error);
            if (!CHECK(strcmp(results[0], want) == 0))
                printf("    got \"%s\", want \"%s\"\n", results[0], want);
        }
        for (k = 1; k < PROTO_ERR_COUNT; k++)
            if (strcmp(proto_error_name(k), v->error) == 0)
                e = k;
        CHECK(e > 0);
        if (e > 0)
            CHECK_EQ_U(r.errors[e], 1);
        CHECK_EQ_U(r.good, 0);
    } else if (strcmp(v->kind, "stream") == 0) {
        n_stream++;
        count = receive_all(v->wire, v->wire_n, results, MAX_EXPECT, NULL, &r);
        CHECK_EQ_I(count, v->n_expect);
        for (i = 0; i < count && i < v->n_expect; i++)
            if (!CHECK(strcmp(results[i], v->expect[i]) == 0))
                printf("    result %d: got \"%s\", want \"%s\"\n", i, results[i], v->expect[i]);
    } else {
        CHECK(!"unknown vector kind");
    }
    check_end();
}

static int run_vectors(const char *path) {
    static vector v;
    static char line[2 * MAX_WIRE_HEX + 64];
    FILE *in = fopen(path, "r");
    int open = 0, lineno = 0;
    check_begin("vectors_file");
    if (!CHECK(in != NULL)) {
        printf("  cannot open %s\n", path);
        check_end();
        return 0;
    }
    check_end();
    while (fgets(line, sizeof line, in) != NULL) {
        char *sp, *rest;
        lineno++;
        strip(line);
        if (line[0] == '\0' || line[0] == '#')
            continue;
        sp = strchr(line, ' ');
        rest = sp != NULL ? sp + 1 : line + strlen(line);
        if (sp != NULL)
            *sp = '\0';
        if (strcmp(line, "vector") == 0) {
            memset(&v, 0, sizeof v);
            v.type = -1;
            snprintf(v.name, sizeof v.name, "vector %s", rest);
            open = 1;
        } else if (!open) {
            printf("vectors.txt:%d: outside a vector\n", lineno);
        } else if (strcmp(line, "end") == 0) {
            check_vector(&v);
            open = 0;
        } else if (strcmp(line, "kind") == 0) {
            snprintf(v.kind, sizeof v.kind, "%s", rest);
        } else if (strcmp(line, "wire") == 0) {
            if (!parse_hex(rest, v.wire, sizeof v.wire, &v.wire_n))
                v.bad_line = lineno;
        } else if (strcmp(line, "type") == 0) {
            v.type = type_by_name(rest);
            if (v.type < 0)
                v.bad_line = lineno;
        } else if (strcmp(line, "seq") == 0) {
            v.seq = (uint32_t)strtoul(rest, NULL, 10);
        } else if (strcmp(line, "error") == 0) {
            snprintf(v.error, sizeof v.error, "%s", rest);
        } else if (strcmp(line, "expect") == 0) {
            if (v.n_expect < MAX_EXPECT)
                snprintf(v.expect[v.n_expect++], 64, "%s", rest);
            else
                v.bad_line = lineno;
        } else if (!parse_field(&v, line, rest)) {
            printf("vectors.txt:%d: cannot parse field line \"%s %s\"\n", lineno, line, rest);
            v.bad_line = lineno;
        }
    }
    fclose(in);
    printf("vectors: %d valid, %d invalid, %d stream\n", n_valid, n_invalid, n_stream);
    check_begin("vectors_present");
    CHECK(!open);
    CHECK(n_valid >= 19);   /* as many as vectors.txt has today; more are welcome */
    CHECK(n_invalid >= 19);
    CHECK(n_stream >= 8);
    check_end();
    return 1;
}

/* ---- properties ----------------------------------------------------------------------------------------------- */

static uint32_t rng_state = 12345u;
static uint32_t rnd(void) { /* xorshift32 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_crc(void) {
    const uint8_t check[] = "123456789";
    CHECK_EQ_U(proto_crc32c(check, 9), 0xE3069283u);
    CHECK_EQ_U(proto_crc32c(check, 0), 0x00000000u);
    /* Known CRC-32C values (RFC 3720 B.4): 32 bytes of zeros, 32 bytes of 0xFF, 0..31 ascending. */
    {
        uint8_t b[32];
        int i;
        memset(b, 0, sizeof b);
        CHECK_EQ_U(proto_crc32c(b, 32), 0x8A9136AAu);
        memset(b, 0xFF, sizeof b);
        CHECK_EQ_U(proto_crc32c(b, 32), 0x62A8AB43u);
        for (i = 0; i < 32; i++)
            b[i] = (uint8_t)i;
        CHECK_EQ_U(proto_crc32c(b, 32), 0x46DD794Eu);
    }
}

/* Encodes n bytes, checks the encoding (no zeros, size bound) and that it decodes back. Returns encoded size. */
static size_t cobs_round_trip(const uint8_t *in, size_t n) {
    static uint8_t enc[1200], dec[1200];
    size_t e = proto_cobs_encode(in, n, enc), i;
    long d;
    int zeros = 0;
    CHECK(e <= n + n / 254 + 1);
    CHECK(e >= n + 1);
    for (i = 0; i < e; i++)
        zeros += enc[i] == 0;
    CHECK_EQ_I(zeros, 0);
    d = proto_cobs_decode(enc, e, dec);
    CHECK_EQ_I(d, (long)n);
    CHECK(d == (long)n && memcmp(dec, in, n) == 0);
    return e;
}

static void test_cobs(void) {
    static uint8_t buf[1024];
    size_t n, i;
    int round;
    /* Known encodings (Cheshire and Baker's examples, and the 254-byte block rule). */
    {
        const uint8_t a[] = {0x00}, ea[] = {0x01, 0x01};
        const uint8_t b[] = {0x00, 0x00}, eb[] = {0x01, 0x01, 0x01};
        const uint8_t c[] = {0x11, 0x22, 0x00, 0x33}, ec[] = {0x03, 0x11, 0x22, 0x02, 0x33};
        const uint8_t d[] = {0x11, 0x00, 0x00, 0x00}, ed[] = {0x02, 0x11, 0x01, 0x01, 0x01};
        uint8_t out[16];
        CHECK_EQ_U(proto_cobs_encode(a, 1, out), 2);
        CHECK(memcmp(out, ea, 2) == 0);
        CHECK_EQ_U(proto_cobs_encode(b, 2, out), 3);
        CHECK(memcmp(out, eb, 3) == 0);
        CHECK_EQ_U(proto_cobs_encode(c, 4, out), 5);
        CHECK(memcmp(out, ec, 5) == 0);
        CHECK_EQ_U(proto_cobs_encode(d, 4, out), 5);
        CHECK(memcmp(out, ed, 5) == 0);
        CHECK_EQ_U(proto_cobs_encode(a, 0, out), 1);
        CHECK_EQ_U(out[0], 0x01);
    }
    /* Runs of non-zero bytes around the 254-byte block: 253 -> 254 bytes, 254 -> FF + 254 + 01, 255 -> 257. */
    for (i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(1 + i % 255);
    {
        static uint8_t enc[1200];
        CHECK_EQ_U(proto_cobs_encode(buf, 253, enc), 254);
        CHECK_EQ_U(enc[0], 254);
        CHECK_EQ_U(proto_cobs_encode(buf, 254, enc), 256);
        CHECK_EQ_U(enc[0], 0xFF);
        CHECK_EQ_U(enc[255], 0x01);
        CHECK_EQ_U(proto_cobs_encode(buf, 255, enc), 257);
        CHECK_EQ_U(enc[0], 0xFF);
        CHECK_EQ_U(enc[255], 0x02);
        CHECK_EQ_U(enc[256], buf[254]);
        CHECK_EQ_U(proto_cobs_encode(buf, 508, enc), 511);
    }
    for (n = 0; n <= 600; n++)
        cobs_round_trip(buf, n);
    /* All zeros, and zeros right after a full block. */
    memset(buf, 0, sizeof buf);
    for (n = 0; n <= 600; n += 7)
        CHECK_EQ_U(cobs_round_trip(buf, n), n + 1);
    for (i = 0; i < 254; i++)
        buf[i] = 0x55;
    buf[254] = 0;
    buf[255] = 0x66;
    cobs_round_trip(buf, 254);
    cobs_round_trip(buf, 255);
    cobs_round_trip(buf, 256);
    /* Random data with some zeros. */
    for (round = 0; round < 2000; round++) {
        n = rnd() % 800;
        for (i = 0; i < n; i++)
            buf[i] = (rnd() % 5 == 0) ? 0 : (uint8_t)rnd();
        cobs_round_trip(buf, n);
    }
    /* Invalid: a code past the end, a zero inside. A full block without a trailing code also decodes. */
    {
        const uint8_t past[] = {0x05, 0x11, 0x22}, zero[] = {0x03, 0x00, 0x11}, zero_code[] = {0x02, 0x11, 0x00};
        uint8_t full[255], out[300];
        CHECK_EQ_I(proto_cobs_decode(past, 3, out), -1);
        CHECK_EQ_I(proto_cobs_decode(zero, 3, out), -1);
        CHECK_EQ_I(proto_cobs_decode(zero_code, 3, out), -1);
        full[0] = 0xFF;
        memset(full + 1, 0x42, 254);
        CHECK_EQ_I(proto_cobs_decode(full, 255, out), 254);
        CHECK_EQ_I(proto_cobs_decode(full, 254, out), -1);
        CHECK_EQ_I(proto_cobs_decode(full, 0, out), 0);
    }
}

static void test_names(void) {
    const char *errors[] = {"ok", "too_long", "cobs", "too_short", "crc", "version", "length", "type",
                            "payload_length"};
    const int lengths[] = {16, 36, 208, 8, 280, 32, 4, 24};
    /* protocol.md section 2, except State: the table says 295, but a State packet never holds a run of 254
       non-zero bytes (its reserved bytes 29..31 are zeros), so COBS adds one byte, not two: 294 (as in every
       State vector of vectors.txt). */
    const size_t wire[] = {30, 50, 222, 22, 294, 46, 18, 38};
    int i;
    CHECK_EQ_I(PROTO_ERR_COUNT, 9);
    for (i = 0; i < PROTO_ERR_COUNT; i++)
        CHECK(strcmp(proto_error_name(i), errors[i]) == 0);
    for (i = 0; i < NTYPES; i++) {
        proto_message m;
        uint8_t out[PROTO_MAX_WIRE];
        CHECK_EQ_I(proto_payload_length(TYPES[i]), lengths[i]);
        CHECK_EQ_I(type_by_name(proto_type_name(TYPES[i])), TYPES[i]);
        memset(&m, 0xA5, sizeof m);
        m.type = (uint8_t)TYPES[i];
        CHECK_EQ_U(proto_encode(&m, out), wire[i]);
        CHECK_EQ_U(proto_pack(&m, out), 12u + (size_t)lengths[i]);
    }
    CHECK(proto_type_name(0x12) == NULL);
    CHECK_EQ_I(proto_payload_length(0), -1);
    CHECK_EQ_U(PROTO_MAX_PACKET, 292);
    CHECK(PROTO_MAX_WIRE >= 295);
    {
        proto_message m;
        uint8_t out[PROTO_MAX_WIRE];
        memset(&m, 0, sizeof m);
        m.type = 0x12;
        CHECK_EQ_U(proto_pack(&m, out), 0);
        CHECK_EQ_U(proto_encode(&m, out), 0);
    }
}

/* Random messages of every type (random bits in every field, NaNs included) survive pack/unpack and
   encode/receive unchanged; reserved bytes are packed as zeros. */
static void test_round_trip_random(void) {
    int round, i, k;
    for (round = 0; round < 3000; round++) {
        proto_message m, back;
        proto_receiver r;
        uint8_t packet[PROTO_MAX_PACKET], wire[PROTO_MAX_WIRE];
        size_t n, w;
        int got = -1;
        memset(&m, 0, sizeof m);
        m.type = (uint8_t)TYPES[round % NTYPES];
        m.seq = rnd();
        for (i = 0; i < NFIELDS; i++)
            if (FIELDS[i].type == m.type)
                for (k = 0; k < elements(&FIELDS[i]); k++)
                    set_bits(&m, &FIELDS[i], k, ((uint64_t)rnd() << 32) | rnd());
        n = proto_pack(&m, packet);
        CHECK_EQ_U(n, 12u + (size_t)proto_payload_length(m.type));
        CHECK_EQ_U(packet[0], 1);
        CHECK_EQ_U(packet[1], m.type);
        CHECK_EQ_U(packet[2] | (packet[3] << 8), n - 12);
        CHECK_EQ_I(proto_unpack(packet, n, &back), PROTO_OK);
        same_fields(&back, &m, "unpack(pack)");
        w = proto_encode(&m, wire);
        proto_receiver_init(&r);
        for (i = 0; i < (int)w; i++) {
            int e = proto_receiver_feed(&r, wire[i], &back);
            if (i < (int)w - 1)
                CHECK_EQ_I(e, -1);
            else
                got = e;
        }
        CHECK_EQ_I(got, PROTO_OK);
        same_fields(&back, &m, "receive(encode)");
        /* Reserved bytes are zero. */
        if (m.type == PROTO_HELLO)
            CHECK(packet[8 + 2] == 0 && packet[8 + 3] == 0 && packet[8 + 12] == 0 && packet[8 + 15] == 0);
        if (m.type == PROTO_COMMAND)
            CHECK(packet[8 + 10] == 0 && packet[8 + 11] == 0);
        if (m.type == PROTO_STATE)
            CHECK(packet[8 + 29] == 0 && packet[8 + 30] == 0 && packet[8 + 31] == 0);
        if (m.type == PROTO_FAULT || m.type == PROTO_HELLO_ACK)
            CHECK(packet[8 + 17] == 0 && packet[8 + 18] == 0 && packet[8 + 19] == 0);
        if (m.type == PROTO_ARM)
            CHECK(packet[8 + 4] == 0 && packet[8 + 7] == 0);
    }
}

/* Byte-order independence: a field's bytes land where protocol.md says, least significant first. */
static void test_layout(void) {
    proto_message m;
    uint8_t p[PROTO_MAX_PACKET];
    memset(&m, 0, sizeof m);
    m.type = PROTO_COMMAND;
    m.seq = 0x04030201u;
    m.u.command.host_time_us = 0x1122334455667788ull;
    m.u.command.mode = 2;
    m.u.command.interp_us = 0xA1B2C3D4u;
    m.u.command.q_target[0] = 1.0f;   /* 0x3F800000 */
    m.u.command.tau_ff[11] = -2.0f;   /* 0xC0000000 */
    CHECK_EQ_U(proto_pack(&m, p), 220);
    CHECK(p[0] == 1 && p[1] == 0x10 && p[2] == 208 && p[3] == 0);
    CHECK(p[4] == 1 && p[5] == 2 && p[6] == 3 && p[7] == 4);
    CHECK(p[8] == 0x88 && p[9] == 0x77 && p[15] == 0x11);
    CHECK_EQ_U(p[16], 2);
    CHECK(p[20] == 0xD4 && p[23] == 0xA1);
    CHECK(p[24] == 0 && p[25] == 0 && p[26] == 0x80 && p[27] == 0x3F);
    CHECK(p[8 + 28 + 16 * 11 + 3] == 0xC0);
    CHECK_EQ_U((uint32_t)p[216] | ((uint32_t)p[217] << 8) | ((uint32_t)p[218] << 16) | ((uint32_t)p[219] << 24),
               proto_crc32c(p, 216));
}

static int feed_all(proto_receiver *r, const uint8_t *b, size_t n, proto_message *m, int *results, int max) {
    size_t i;
    int count = 0;
    for (i = 0; i < n; i++) {
        int e = proto_receiver_feed(r, b[i], m);
        if (e >= 0 && count < max)
            results[count++] = e;
    }
    return count;
}

/* Section 1's checks at their boundaries, beyond the vectors. */
static void test_receiver_edges(void) {
    static uint8_t buf[800];
    proto_receiver r;
    proto_message m;
    int res[8], n;
    /* Exactly 300 bytes before the 0x00 is not too_long (300 codes 0x01 decode to 299 zeros: a crc error); 301 is. */
    memset(buf, 0x01, sizeof buf);
    buf[300] = 0;
    proto_receiver_init(&r);
    n = feed_all(&r, buf, 301, &m, res, 8);
    CHECK_EQ_I(n, 1);
    CHECK_EQ_I(res[0], PROTO_ERR_CRC);
    memset(buf, 0x01, sizeof buf);
    buf[301] = 0;
    proto_receiver_init(&r);
    n = feed_all(&r, buf, 302, &m, res, 8);
    CHECK_EQ_I(n, 1);
    CHECK_EQ_I(res[0], PROTO_ERR_TOO_LONG);
    CHECK_EQ_U(r.errors[PROTO_ERR_TOO_LONG], 1);
    /* Empty frames are ignored and not counted. */
    proto_receiver_init(&r);
    memset(buf, 0, 10);
    CHECK_EQ_I(feed_all(&r, buf, 10, &m, res, 8), 0);
    CHECK_EQ_U(r.good, 0);
    for (n = 0; n < PROTO_ERR_COUNT; n++)
        CHECK_EQ_U(r.errors[n], 0);
    /* A Hello with header version 2 is accepted, HelloAck with version 0 too; an Estop with version 2 is not. */
    {
        proto_message h;
        uint8_t wire[PROTO_MAX_WIRE];
        size_t w;
        memset(&h, 0, sizeof h);
        h.type = PROTO_HELLO_ACK;
        h.seq = 9;
        h.u.hello_ack.protocol_version = 3;
        w = proto_encode_version(&h, 0, wire);
        proto_receiver_init(&r);
        CHECK_EQ_I(feed_all(&r, wire, w, &m, res, 8), 1);
        CHECK_EQ_I(res[0], PROTO_OK);
        CHECK_EQ_U(m.u.hello_ack.protocol_version, 3);
        CHECK_EQ_U(r.packet[0], 0);
        h.type = PROTO_ESTOP;
        w = proto_encode_version(&h, 2, wire);
        CHECK_EQ_I(feed_all(&r, wire, w, &m, res, 8), 1);
        CHECK_EQ_I(res[0], PROTO_ERR_VERSION);
    }
}

/* A packet with any header, n payload bytes of 0x5A, a good CRC; framed. */
static size_t frame_raw(uint8_t version, uint8_t type, uint16_t length, size_t n, uint8_t *wire) {
    uint8_t p[PROTO_MAX_FRAME];
    size_t w;
    uint32_t crc;
    p[0] = version;
    p[1] = type;
    p[2] = (uint8_t)(length & 0xFF);
    p[3] = (uint8_t)(length >> 8);
    p[4] = p[5] = p[6] = p[7] = 7;
    memset(p + 8, 0x5A, n);
    crc = proto_crc32c(p, 8 + n);
    p[8 + n] = (uint8_t)crc;
    p[9 + n] = (uint8_t)(crc >> 8);
    p[10 + n] = (uint8_t)(crc >> 16);
    p[11 + n] = (uint8_t)(crc >> 24);
    w = proto_cobs_encode(p, 12 + n, wire);
    wire[w] = 0;
    return w + 1;
}

/* When several checks fail, the first in protocol.md's order names the error. */
static void test_check_order(void) {
    const struct { uint8_t version, type; uint16_t length; size_t n; int error; } cases[] = {
        {2, 0x12, 9, 8, PROTO_ERR_VERSION},         /* version, length and type all wrong */
        {1, 0x12, 9, 8, PROTO_ERR_LENGTH},          /* length and type wrong */
        {1, 0x12, 8, 8, PROTO_ERR_TYPE},            /* type wrong, length consistent */
        {1, PROTO_ARM, 9, 9, PROTO_ERR_PAYLOAD_LENGTH},
        {2, PROTO_HELLO, 17, 16, PROTO_ERR_LENGTH}, /* a Hello of another version still has its length checked */
        {2, PROTO_HELLO, 15, 15, PROTO_ERR_PAYLOAD_LENGTH},
        {0, PROTO_HELLO, 16, 16, PROTO_OK},
        {1, PROTO_ARM, 8, 8, PROTO_OK},
        {1, PROTO_STATE, 280, 280, PROTO_OK},
        {1, PROTO_STATE, 286, 286, PROTO_ERR_PAYLOAD_LENGTH}, /* 298 bytes: COBS makes 300, the most a frame holds */
        {1, PROTO_STATE, 287, 287, PROTO_ERR_TOO_LONG},       /* 299 non-zero bytes: COBS makes 301 */
    };
    int i;
    for (i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
        uint8_t wire[PROTO_MAX_FRAME + 8];
        proto_receiver r;
        proto_message m;
        int res[4];
        size_t w = frame_raw(cases[i].version, cases[i].type, cases[i].length, cases[i].n, wire);
        proto_receiver_init(&r);
        CHECK_EQ_I(feed_all(&r, wire, w, &m, res, 4), 1);
        if (!CHECK_EQ_I(res[0], cases[i].error))
            printf("    case %d\n", i);
    }
}

int main(int argc, char **argv) {
    RUN(test_crc);
    RUN(test_cobs);
    RUN(test_names);
    RUN(test_layout);
    RUN(test_round_trip_random);
    RUN(test_receiver_edges);
    RUN(test_check_order);
    if (argc < 2) {
        printf("usage: %s vectors.txt\n", argv[0]);
        check_begin("vectors_file");
        CHECK(!"no vectors path given");
        check_end();
    } else {
        run_vectors(argv[1]);
    }
    return check_summary();
}
