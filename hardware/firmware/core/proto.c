/*
 * proto.c: the trot serial protocol v1 (hardware/protocol/protocol.md) in portable C99.
 *
 * Every multi-byte value is read and written one byte at a time with shifts, never by casting a struct or a
 * pointer, so the code is independent of the host's endianness and alignment; floats go through memcpy to a
 * uint32_t. No malloc, no stdio, no mutable globals.
 */
#include "proto.h"

#include <string.h>

/* ---- names and lengths ---------------------------------------------------------------------------------------- */

const char *proto_error_name(int error) {
    switch (error) {
    case PROTO_OK: return "ok";
    case PROTO_ERR_TOO_LONG: return "too_long";
    case PROTO_ERR_COBS: return "cobs";
    case PROTO_ERR_TOO_SHORT: return "too_short";
    case PROTO_ERR_CRC: return "crc";
    case PROTO_ERR_VERSION: return "version";
    case PROTO_ERR_LENGTH: return "length";
    case PROTO_ERR_TYPE: return "type";
    case PROTO_ERR_PAYLOAD_LENGTH: return "payload_length";
    default: return "unknown";
    }
}

const char *proto_type_name(int type) {
    switch (type) {
    case PROTO_HELLO: return "HELLO";
    case PROTO_HELLO_ACK: return "HELLO_ACK";
    case PROTO_COMMAND: return "COMMAND";
    case PROTO_ARM: return "ARM";
    case PROTO_STATE: return "STATE";
    case PROTO_HEARTBEAT: return "HEARTBEAT";
    case PROTO_ESTOP: return "ESTOP";
    case PROTO_FAULT: return "FAULT";
    default: return NULL;
    }
}

int proto_payload_length(int type) {
    switch (type) {
    case PROTO_HELLO: return PROTO_HELLO_LEN;
    case PROTO_HELLO_ACK: return PROTO_HELLO_ACK_LEN;
    case PROTO_COMMAND: return PROTO_COMMAND_LEN;
    case PROTO_ARM: return PROTO_ARM_LEN;
    case PROTO_STATE: return PROTO_STATE_LEN;
    case PROTO_HEARTBEAT: return PROTO_HEARTBEAT_LEN;
    case PROTO_ESTOP: return PROTO_ESTOP_LEN;
    case PROTO_FAULT: return PROTO_FAULT_LEN;
    default: return -1;
    }
}

/* ---- CRC-32C -------------------------------------------------------------------------------------------------- */

/* Table of the reflected polynomial 0x82F63B78: crc32c_table[i] = 8 shift-and-xor steps of i. */
static const uint32_t crc32c_table[256] = {
    0x00000000u, 0xF26B8303u, 0xE13B70F7u, 0x1350F3F4u, 0xC79A971Fu, 0x35F1141Cu, 0x26A1E7E8u, 0xD4CA64EBu,
    0x8AD958CFu, 0x78B2DBCCu, 0x6BE22838u, 0x9989AB3Bu, 0x4D43CFD0u, 0xBF284CD3u, 0xAC78BF27u, 0x5E133C24u,
    0x105EC76Fu, 0xE235446Cu, 0xF165B798u, 0x030E349Bu, 0xD7C45070u, 0x25AFD373u, 0x36FF2087u, 0xC494A384u,
    0x9A879FA0u, 0x68EC1CA3u, 0x7BBCEF57u, 0x89D76C54u, 0x5D1D08BFu, 0xAF768BBCu, 0xBC267848u, 0x4E4DFB4Bu,
    0x20BD8EDEu, 0xD2D60DDDu, 0xC186FE29u, 0x33ED7D2Au, 0xE72719C1u, 0x154C9AC2u, 0x061C6936u, 0xF477EA35u,
    0xAA64D611u, 0x580F5512u, 0x4B5FA6E6u, 0xB93425E5u, 0x6DFE410Eu, 0x9F95C20Du, 0x8CC531F9u, 0x7EAEB2FAu,
    0x30E349B1u, 0xC288CAB2u, 0xD1D83946u, 0x23B3BA45u, 0xF779DEAEu, 0x05125DADu, 0x1642AE59u, 0xE4292D5Au,
    0xBA3A117Eu, 0x4851927Du, 0x5B016189u, 0xA96AE28Au, 0x7DA08661u, 0x8FCB0562u, 0x9C9BF696u, 0x6EF07595u,
    0x417B1DBCu, 0xB3109EBFu, 0xA0406D4Bu, 0x522BEE48u, 0x86E18AA3u, 0x748A09A0u, 0x67DAFA54u, 0x95B17957u,
    0xCBA24573u, 0x39C9C670u, 0x2A993584u, 0xD8F2B687u, 0x0C38D26Cu, 0xFE53516Fu, 0xED03A29Bu, 0x1F682198u,
    0x5125DAD3u, 0xA34E59D0u, 0xB01EAA24u, 0x42752927u, 0x96BF4DCCu, 0x64D4CECFu, 0x77843D3Bu, 0x85EFBE38u,
    0xDBFC821Cu, 0x2997011Fu, 0x3AC7F2EBu, 0xC8AC71E8u, 0x1C661503u, 0xEE0D9600u, 0xFD5D65F4u, 0x0F36E6F7u,
    0x61C69362u, 0x93AD1061u, 0x80FDE395u, 0x72966096u, 0xA65C047Du, 0x5437877Eu, 0x4767748Au, 0xB50CF789u,
    0xEB1FCBADu, 0x197448AEu, 0x0A24BB5Au, 0xF84F3859u, 0x2C855CB2u, 0xDEEEDFB1u, 0xCDBE2C45u, 0x3FD5AF46u,
    0x7198540Du, 0x83F3D70Eu, 0x90A324FAu, 0x62C8A7F9u, 0xB602C312u, 0x44694011u, 0x5739B3E5u, 0xA55230E6u,
    0xFB410CC2u, 0x092A8FC1u, 0x1A7A7C35u, 0xE811FF36u, 0x3CDB9BDDu, 0xCEB018DEu, 0xDDE0EB2Au, 0x2F8B6829u,
    0x82F63B78u, 0x709DB87Bu, 0x63CD4B8Fu, 0x91A6C88Cu, 0x456CAC67u, 0xB7072F64u, 0xA457DC90u, 0x563C5F93u,
    0x082F63B7u, 0xFA44E0B4u, 0xE9141340u, 0x1B7F9043u, 0xCFB5F4A8u, 0x3DDE77ABu, 0x2E8E845Fu, 0xDCE5075Cu,
    0x92A8FC17u, 0x60C37F14u, 0x73938CE0u, 0x81F80FE3u, 0x55326B08u, 0xA759E80Bu, 0xB4091BFFu, 0x466298FCu,
    0x1871A4D8u, 0xEA1A27DBu, 0xF94AD42Fu, 0x0B21572Cu, 0xDFEB33C7u, 0x2D80B0C4u, 0x3ED04330u, 0xCCBBC033u,
    0xA24BB5A6u, 0x502036A5u, 0x4370C551u, 0xB11B4652u, 0x65D122B9u, 0x97BAA1BAu, 0x84EA524Eu, 0x7681D14Du,
    0x2892ED69u, 0xDAF96E6Au, 0xC9A99D9Eu, 0x3BC21E9Du, 0xEF087A76u, 0x1D63F975u, 0x0E330A81u, 0xFC588982u,
    0xB21572C9u, 0x407EF1CAu, 0x532E023Eu, 0xA145813Du, 0x758FE5D6u, 0x87E466D5u, 0x94B49521u, 0x66DF1622u,
    0x38CC2A06u, 0xCAA7A905u, 0xD9F75AF1u, 0x2B9CD9F2u, 0xFF56BD19u, 0x0D3D3E1Au, 0x1E6DCDEEu, 0xEC064EEDu,
    0xC38D26C4u, 0x31E6A5C7u, 0x22B65633u, 0xD0DDD530u, 0x0417B1DBu, 0xF67C32D8u, 0xE52CC12Cu, 0x1747422Fu,
    0x49547E0Bu, 0xBB3FFD08u, 0xA86F0EFCu, 0x5A048DFFu, 0x8ECEE914u, 0x7CA56A17u, 0x6FF599E3u, 0x9D9E1AE0u,
    0xD3D3E1ABu, 0x21B862A8u, 0x32E8915Cu, 0xC083125Fu, 0x144976B4u, 0xE622F5B7u, 0xF5720643u, 0x07198540u,
    0x590AB964u, 0xAB613A67u, 0xB831C993u, 0x4A5A4A90u, 0x9E902E7Bu, 0x6CFBAD78u, 0x7FAB5E8Cu, 0x8DC0DD8Fu,
    0xE330A81Au, 0x115B2B19u, 0x020BD8EDu, 0xF0605BEEu, 0x24AA3F05u, 0xD6C1BC06u, 0xC5914FF2u, 0x37FACCF1u,
    0x69E9F0D5u, 0x9B8273D6u, 0x88D28022u, 0x7AB90321u, 0xAE7367CAu, 0x5C18E4C9u, 0x4F48173Du, 0xBD23943Eu,
    0xF36E6F75u, 0x0105EC76u, 0x12551F82u, 0xE03E9C81u, 0x34F4F86Au, 0xC69F7B69u, 0xD5CF889Du, 0x27A40B9Eu,
    0x79B737BAu, 0x8BDCB4B9u, 0x988C474Du, 0x6AE7C44Eu, 0xBE2DA0A5u, 0x4C4623A6u, 0x5F16D052u, 0xAD7D5351u,
};

uint32_t proto_crc32c(const uint8_t *data, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    for (i = 0; i < n; i++)
        crc = crc32c_table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

/* ---- COBS ----------------------------------------------------------------------------------------------------- */

size_t proto_cobs_encode(const uint8_t *in, size_t n, uint8_t *out) {
    size_t code_at = 0; /* where the current block's code byte goes */
    size_t o = 1;       /* next output byte */
    uint8_t code = 1;   /* 1 + bytes in the current block */
    size_t i;
    for (i = 0; i < n; i++) {
        if (in[i] == 0) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
        } else {
            out[o++] = in[i];
            code++;
            if (code == 0xFF) { /* a full block of 254 non-zero bytes: no implied zero after it */
                out[code_at] = code;
                code_at = o++;
                code = 1;
            }
        }
    }
    out[code_at] = code;
    return o;
}

long proto_cobs_decode(const uint8_t *in, size_t n, uint8_t *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        size_t code = in[i], k;
        if (code == 0 || code > n - i)
            return -1;
        for (k = 1; k < code; k++) {
            if (in[i + k] == 0)
                return -1;
            out[o++] = in[i + k];
        }
        i += code;
        if (code < 0xFF && i < n)
            out[o++] = 0;
    }
    return (long)o;
}

/* ---- little-endian fields ------------------------------------------------------------------------------------- */

static void put_u8(uint8_t *p, size_t at, uint8_t v) { p[at] = v; }
static void put_u16(uint8_t *p, size_t at, uint16_t v) {
    p[at] = (uint8_t)(v & 0xFFu);
    p[at + 1] = (uint8_t)(v >> 8);
}
static void put_u32(uint8_t *p, size_t at, uint32_t v) {
    int k;
    for (k = 0; k < 4; k++)
        p[at + (size_t)k] = (uint8_t)((v >> (8 * k)) & 0xFFu);
}
static void put_u64(uint8_t *p, size_t at, uint64_t v) {
    int k;
    for (k = 0; k < 8; k++)
        p[at + (size_t)k] = (uint8_t)((v >> (8 * k)) & 0xFFu);
}
static void put_f32(uint8_t *p, size_t at, float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u32(p, at, bits);
}
static void put_f32s(uint8_t *p, size_t at, const float *v, int count) {
    int k;
    for (k = 0; k < count; k++)
        put_f32(p, at + 4u * (size_t)k, v[k]);
}

static uint8_t get_u8(const uint8_t *p, size_t at) { return p[at]; }
static uint16_t get_u16(const uint8_t *p, size_t at) { return (uint16_t)(p[at] | (p[at + 1] << 8)); }
static uint32_t get_u32(const uint8_t *p, size_t at) {
    return (uint32_t)p[at] | ((uint32_t)p[at + 1] << 8) | ((uint32_t)p[at + 2] << 16) | ((uint32_t)p[at + 3] << 24);
}
static uint64_t get_u64(const uint8_t *p, size_t at) {
    return (uint64_t)get_u32(p, at) | ((uint64_t)get_u32(p, at + 4) << 32);
}
static float get_f32(const uint8_t *p, size_t at) {
    uint32_t bits = get_u32(p, at);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}
static void get_f32s(const uint8_t *p, size_t at, float *v, int count) {
    int k;
    for (k = 0; k < count; k++)
        v[k] = get_f32(p, at + 4u * (size_t)k);
}

/* ---- packing -------------------------------------------------------------------------------------------------- */

/* Writes msg's payload at p (already zeroed, so reserved bytes are 0). */
static void pack_payload(const proto_message *msg, uint8_t *p) {
    int j;
    switch (msg->type) {
    case PROTO_HELLO: {
        const proto_hello *m = &msg->u.hello;
        put_u16(p, 0, m->protocol_version);
        put_u32(p, 4, m->session);
        put_u32(p, 8, m->state_period_us);
        break;
    }
    case PROTO_HELLO_ACK: {
        const proto_hello_ack *m = &msg->u.hello_ack;
        put_u16(p, 0, m->protocol_version);
        put_u8(p, 2, m->status);
        put_u8(p, 3, m->joints);
        put_u32(p, 4, m->session);
        put_u32(p, 8, m->state_period_us);
        put_u32(p, 12, m->firmware_version);
        put_u8(p, 16, m->feet);
        for (j = 0; j < 16; j++)
            put_u8(p, 20u + (size_t)j, (uint8_t)m->robot[j]);
        break;
    }
    case PROTO_COMMAND: {
        const proto_command *m = &msg->u.command;
        put_u64(p, 0, m->host_time_us);
        put_u8(p, 8, m->mode);
        put_u8(p, 9, m->flags);
        put_u32(p, 12, m->interp_us);
        for (j = 0; j < PROTO_JOINTS; j++) {
            size_t at = 16u + 16u * (size_t)j;
            put_f32(p, at, m->q_target[j]);
            put_f32(p, at + 4, m->kp[j]);
            put_f32(p, at + 8, m->kd[j]);
            put_f32(p, at + 12, m->tau_ff[j]);
        }
        break;
    }
    case PROTO_ARM:
        put_u32(p, 0, msg->u.arm.clear_faults);
        break;
    case PROTO_STATE: {
        const proto_state *m = &msg->u.state;
        put_u64(p, 0, m->fw_time_us);
        put_u64(p, 8, m->echo_host_time_us);
        put_u32(p, 16, m->last_command_seq);
        put_u32(p, 20, m->faults);
        put_u32(p, 24, m->status);
        put_u8(p, 28, m->mode);
        put_f32s(p, 32, m->quat, 4);
        put_f32s(p, 48, m->gyro, 3);
        put_f32s(p, 60, m->accel, 3);
        for (j = 0; j < PROTO_JOINTS; j++) {
            size_t at = 72u + 16u * (size_t)j;
            put_f32(p, at, m->q[j]);
            put_f32(p, at + 4, m->dq[j]);
            put_f32(p, at + 8, m->tau_est[j]);
            put_f32(p, at + 12, m->temp_c[j]);
        }
        put_f32s(p, 264, m->foot_force, PROTO_FEET);
        break;
    }
    case PROTO_HEARTBEAT: {
        const proto_heartbeat *m = &msg->u.heartbeat;
        put_u64(p, 0, m->time_us);
        put_u64(p, 8, m->echo_time_us);
        put_u32(p, 16, m->rx_ok);
        put_u32(p, 20, m->rx_bad);
        put_u32(p, 24, m->commands_applied);
        put_u32(p, 28, m->commands_rejected);
        break;
    }
    case PROTO_ESTOP:
        put_u32(p, 0, msg->u.estop.reason);
        break;
    case PROTO_FAULT: {
        const proto_fault *m = &msg->u.fault;
        put_u64(p, 0, m->fw_time_us);
        put_u32(p, 8, m->fault);
        put_u32(p, 12, m->faults);
        put_u8(p, 16, m->joint);
        put_f32(p, 20, m->value);
        break;
    }
    default:
        break;
    }
}

/* Reads the payload at p into msg (msg->type already set and known). */
static void unpack_payload(const uint8_t *p, proto_message *msg) {
    int j;
    switch (msg->type) {
    case PROTO_HELLO: {
        proto_hello *m = &msg->u.hello;
        m->protocol_version = get_u16(p, 0);
        m->session = get_u32(p, 4);
        m->state_period_us = get_u32(p, 8);
        break;
    }
    case PROTO_HELLO_ACK: {
        proto_hello_ack *m = &msg->u.hello_ack;
        m->protocol_version = get_u16(p, 0);
        m->status = get_u8(p, 2);
        m->joints = get_u8(p, 3);
        m->session = get_u32(p, 4);
        m->state_period_us = get_u32(p, 8);
        m->firmware_version = get_u32(p, 12);
        m->feet = get_u8(p, 16);
        for (j = 0; j < 16; j++)
            m->robot[j] = (char)get_u8(p, 20u + (size_t)j);
        break;
    }
    case PROTO_COMMAND: {
        proto_command *m = &msg->u.command;
        m->host_time_us = get_u64(p, 0);
        m->mode = get_u8(p, 8);
        m->flags = get_u8(p, 9);
        m->interp_us = get_u32(p, 12);
        for (j = 0; j < PROTO_JOINTS; j++) {
            size_t at = 16u + 16u * (size_t)j;
            m->q_target[j] = get_f32(p, at);
            m->kp[j] = get_f32(p, at + 4);
            m->kd[j] = get_f32(p, at + 8);
            m->tau_ff[j] = get_f32(p, at + 12);
        }
        break;
    }
    case PROTO_ARM:
        msg->u.arm.clear_faults = get_u32(p, 0);
        break;
    case PROTO_STATE: {
        proto_state *m = &msg->u.state;
        m->fw_time_us = get_u64(p, 0);
        m->echo_host_time_us = get_u64(p, 8);
        m->last_command_seq = get_u32(p, 16);
        m->faults = get_u32(p, 20);
        m->status = get_u32(p, 24);
        m->mode = get_u8(p, 28);
        get_f32s(p, 32, m->quat, 4);
        get_f32s(p, 48, m->gyro, 3);
        get_f32s(p, 60, m->accel, 3);
        for (j = 0; j < PROTO_JOINTS; j++) {
            size_t at = 72u + 16u * (size_t)j;
            m->q[j] = get_f32(p, at);
            m->dq[j] = get_f32(p, at + 4);
            m->tau_est[j] = get_f32(p, at + 8);
            m->temp_c[j] = get_f32(p, at + 12);
        }
        get_f32s(p, 264, m->foot_force, PROTO_FEET);
        break;
    }
    case PROTO_HEARTBEAT: {
        proto_heartbeat *m = &msg->u.heartbeat;
        m->time_us = get_u64(p, 0);
        m->echo_time_us = get_u64(p, 8);
        m->rx_ok = get_u32(p, 16);
        m->rx_bad = get_u32(p, 20);
        m->commands_applied = get_u32(p, 24);
        m->commands_rejected = get_u32(p, 28);
        break;
    }
    case PROTO_ESTOP:
        msg->u.estop.reason = get_u32(p, 0);
        break;
    case PROTO_FAULT: {
        proto_fault *m = &msg->u.fault;
        m->fw_time_us = get_u64(p, 0);
        m->fault = get_u32(p, 8);
        m->faults = get_u32(p, 12);
        m->joint = get_u8(p, 16);
        m->value = get_f32(p, 20);
        break;
    }
    default:
        break;
    }
}

size_t proto_pack_version(const proto_message *msg, uint8_t version, uint8_t *packet) {
    int len = proto_payload_length(msg->type);
    size_t n;
    if (len < 0)
        return 0;
    n = (size_t)len;
    memset(packet, 0, PROTO_HEADER_BYTES + n);
    put_u8(packet, 0, version);
    put_u8(packet, 1, msg->type);
    put_u16(packet, 2, (uint16_t)n);
    put_u32(packet, 4, msg->seq);
    pack_payload(msg, packet + PROTO_HEADER_BYTES);
    put_u32(packet, PROTO_HEADER_BYTES + n, proto_crc32c(packet, PROTO_HEADER_BYTES + n));
    return PROTO_HEADER_BYTES + n + PROTO_CRC_BYTES;
}

size_t proto_pack(const proto_message *msg, uint8_t *packet) {
    return proto_pack_version(msg, (uint8_t)PROTO_VERSION, packet);
}

size_t proto_encode_version(const proto_message *msg, uint8_t version, uint8_t *wire) {
    uint8_t packet[PROTO_MAX_PACKET];
    size_t n = proto_pack_version(msg, version, packet), w;
    if (n == 0)
        return 0;
    w = proto_cobs_encode(packet, n, wire);
    wire[w] = 0;
    return w + 1;
}

size_t proto_encode(const proto_message *msg, uint8_t *wire) {
    return proto_encode_version(msg, (uint8_t)PROTO_VERSION, wire);
}

int proto_unpack(const uint8_t *packet, size_t n, proto_message *msg) {
    uint8_t version, type;
    size_t length;
    int expected;
    if (n < PROTO_HEADER_BYTES + PROTO_CRC_BYTES)
        return PROTO_ERR_TOO_SHORT;
    if (get_u32(packet, n - PROTO_CRC_BYTES) != proto_crc32c(packet, n - PROTO_CRC_BYTES))
        return PROTO_ERR_CRC;
    version = get_u8(packet, 0);
    type = get_u8(packet, 1);
    /* Hello and HelloAck keep their layout in every version, so they are accepted with any header version. */
    if (version != PROTO_VERSION && type != PROTO_HELLO && type != PROTO_HELLO_ACK)
        return PROTO_ERR_VERSION;
    length = get_u16(packet, 2);
    if (PROTO_HEADER_BYTES + length + PROTO_CRC_BYTES != n)
        return PROTO_ERR_LENGTH;
    expected = proto_payload_length(type);
    if (expected < 0)
        return PROTO_ERR_TYPE;
    if ((size_t)expected != length)
        return PROTO_ERR_PAYLOAD_LENGTH;
    memset(msg, 0, sizeof *msg);
    msg->type = type;
    msg->seq = get_u32(packet, 4);
    unpack_payload(packet + PROTO_HEADER_BYTES, msg);
    return PROTO_OK;
}

/* ---- receiver ------------------------------------------------------------------------------------------------- */

void proto_receiver_init(proto_receiver *r) {
    memset(r, 0, sizeof *r);
}

int proto_receiver_feed(proto_receiver *r, uint8_t byte, proto_message *msg) {
    int result;
    if (byte != 0) {
        if (r->length < PROTO_MAX_FRAME)
            r->frame[r->length++] = byte;
        else
            r->overflowed = 1; /* keep discarding up to the next 0x00 */
        return -1;
    }
    r->packet_length = 0;
    if (r->overflowed) {
        result = PROTO_ERR_TOO_LONG;
    } else if (r->length == 0) {
        return -1; /* an empty frame: ignored, not counted */
    } else {
        long n = proto_cobs_decode(r->frame, r->length, r->packet);
        if (n < 0) {
            result = PROTO_ERR_COBS;
        } else {
            r->packet_length = (size_t)n;
            result = proto_unpack(r->packet, (size_t)n, msg);
        }
    }
    r->length = 0;
    r->overflowed = 0;
    if (result == PROTO_OK)
        r->good++;
    else
        r->errors[result]++;
    return result;
}
