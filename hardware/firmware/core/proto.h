/*
 * proto.h: the trot serial protocol v1 (hardware/protocol/protocol.md) in portable C99.
 * No malloc, no globals that change, no OS: packing, unpacking, CRC-32C, COBS and a byte-at-a-time receiver.
 * Every function works on buffers its caller owns.
 */
#ifndef TROT_PROTO_H
#define TROT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1u
#define PROTO_JOINTS 12
#define PROTO_FEET 4
#define PROTO_HEADER_BYTES 8
#define PROTO_CRC_BYTES 4
#define PROTO_MAX_PAYLOAD 280
#define PROTO_MAX_PACKET (PROTO_HEADER_BYTES + PROTO_MAX_PAYLOAD + PROTO_CRC_BYTES) /* 292 */
#define PROTO_MAX_FRAME 300 /* bytes before the 0x00 delimiter a receiver accepts */
#define PROTO_MAX_WIRE (PROTO_MAX_PACKET + PROTO_MAX_PACKET / 254 + 2) /* COBS(packet) + 0x00 */

/* Message types (protocol.md section 3). */
enum proto_type {
    PROTO_HELLO = 0x01,
    PROTO_HELLO_ACK = 0x02,
    PROTO_COMMAND = 0x10,
    PROTO_ARM = 0x11,
    PROTO_STATE = 0x20,
    PROTO_HEARTBEAT = 0x30,
    PROTO_ESTOP = 0x40,
    PROTO_FAULT = 0x50
};

/* Payload lengths. */
#define PROTO_HELLO_LEN 16
#define PROTO_HELLO_ACK_LEN 36
#define PROTO_COMMAND_LEN 208
#define PROTO_ARM_LEN 8
#define PROTO_STATE_LEN 280
#define PROTO_HEARTBEAT_LEN 32
#define PROTO_ESTOP_LEN 4
#define PROTO_FAULT_LEN 24

/* Receive errors (protocol.md section 1), in the order they are checked. PROTO_OK = a good packet. */
enum proto_error {
    PROTO_OK = 0,
    PROTO_ERR_TOO_LONG,
    PROTO_ERR_COBS,
    PROTO_ERR_TOO_SHORT,
    PROTO_ERR_CRC,
    PROTO_ERR_VERSION,
    PROTO_ERR_LENGTH,
    PROTO_ERR_TYPE,
    PROTO_ERR_PAYLOAD_LENGTH,
    PROTO_ERR_COUNT
};

/* "too_long", "cobs", ... as in protocol.md and vectors.txt; "ok" for PROTO_OK. */
const char *proto_error_name(int error);
/* "HELLO", "COMMAND", ... ; NULL for an unknown type. */
const char *proto_type_name(int type);
/* Payload length of a type, or -1 for an unknown type. */
int proto_payload_length(int type);

/* Modes, fault bits, status bits (protocol.md sections 5 and 6). */
enum proto_mode { PROTO_MODE_DAMP = 0, PROTO_MODE_HOLD = 1, PROTO_MODE_RUN = 2 };
#define PROTO_FAULT_WATCHDOG (1u << 0)
#define PROTO_FAULT_ESTOP (1u << 1)
#define PROTO_FAULT_JOINT_LIMIT (1u << 2)
#define PROTO_FAULT_OVER_TEMPERATURE (1u << 3)
#define PROTO_FAULT_SENSOR (1u << 4)
#define PROTO_FAULT_RESET (1u << 5)
#define PROTO_STATUS_ARMED (1u << 0)
#define PROTO_STATUS_SESSION (1u << 1)
#define PROTO_STATUS_TARGET_CLIPPED (1u << 2)
#define PROTO_STATUS_TORQUE_SATURATED (1u << 3)
#define PROTO_STATUS_TEMPERATURE_WARNING (1u << 4)
#define PROTO_MIN_STATE_PERIOD_US 1000u   /* Hello.state_period_us range */
#define PROTO_MAX_STATE_PERIOD_US 100000u
#define PROTO_MAX_INTERP_US 1000000u       /* Command.interp_us at most */
enum proto_hello_status { PROTO_HELLO_ACCEPTED = 0, PROTO_HELLO_VERSION_MISMATCH = 1, PROTO_HELLO_BAD_PERIOD = 2 };

/* Decoded messages: one struct per type, fields named as in protocol.md. */
typedef struct { uint16_t protocol_version; uint32_t session; uint32_t state_period_us; } proto_hello;
typedef struct {
    uint16_t protocol_version; uint8_t status; uint8_t joints; uint32_t session; uint32_t state_period_us;
    uint32_t firmware_version; uint8_t feet; char robot[16];
} proto_hello_ack;
typedef struct {
    uint64_t host_time_us; uint8_t mode; uint8_t flags; uint32_t interp_us;
    float q_target[PROTO_JOINTS], kp[PROTO_JOINTS], kd[PROTO_JOINTS], tau_ff[PROTO_JOINTS];
} proto_command;
typedef struct { uint32_t clear_faults; } proto_arm;
typedef struct {
    uint64_t fw_time_us; uint64_t echo_host_time_us; uint32_t last_command_seq; uint32_t faults; uint32_t status;
    uint8_t mode; float quat[4], gyro[3], accel[3];
    float q[PROTO_JOINTS], dq[PROTO_JOINTS], tau_est[PROTO_JOINTS], temp_c[PROTO_JOINTS];
    float foot_force[PROTO_FEET];
} proto_state;
typedef struct {
    uint64_t time_us; uint64_t echo_time_us; uint32_t rx_ok, rx_bad, commands_applied, commands_rejected;
} proto_heartbeat;
typedef struct { uint32_t reason; } proto_estop;
typedef struct { uint64_t fw_time_us; uint32_t fault; uint32_t faults; uint8_t joint; float value; } proto_fault;

/* Any message, tagged by its type. */
typedef struct {
    uint8_t type;
    uint32_t seq;
    union {
        proto_hello hello; proto_hello_ack hello_ack; proto_command command; proto_arm arm; proto_state state;
        proto_heartbeat heartbeat; proto_estop estop; proto_fault fault;
    } u;
} proto_message;

/* CRC-32C (Castagnoli, reflected 0x82F63B78, init and final XOR 0xFFFFFFFF) of n bytes. */
uint32_t proto_crc32c(const uint8_t *data, size_t n);

/* COBS-encodes n bytes of in into out (no delimiter). Returns the encoded length (at most n + n/254 + 1).
   out must hold that many bytes and must not overlap in. */
size_t proto_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
/* COBS-decodes n bytes (without the delimiter) into out (at least n bytes). Returns the decoded length, or -1
   when the input is not valid COBS (a zero byte, or a code that points past the end). */
long proto_cobs_decode(const uint8_t *in, size_t n, uint8_t *out);

/* Packs msg's payload into a packet (header, payload, CRC) in packet (PROTO_MAX_PACKET bytes). Returns the packet
   length, or 0 for an unknown type. */
size_t proto_pack(const proto_message *msg, uint8_t *packet);
/* Packs and frames msg: COBS(packet) followed by 0x00, into wire (PROTO_MAX_WIRE bytes). Returns the bytes written,
   or 0 for an unknown type. */
size_t proto_encode(const proto_message *msg, uint8_t *wire);
/* As proto_pack and proto_encode, with the given header version instead of PROTO_VERSION (tests, and a Hello of
   another version: section 4). */
size_t proto_pack_version(const proto_message *msg, uint8_t version, uint8_t *packet);
size_t proto_encode_version(const proto_message *msg, uint8_t version, uint8_t *wire);
/* Checks a decoded packet (checks 4..9 of protocol.md section 1) and unpacks it into msg. A Hello or HelloAck with
   another header version is accepted (section 4). Returns PROTO_OK or the error. */
int proto_unpack(const uint8_t *packet, size_t n, proto_message *msg);

/* A receiver: feed bytes one at a time; it reports each frame's result. */
typedef struct {
    uint8_t frame[PROTO_MAX_FRAME];
    uint8_t packet[PROTO_MAX_FRAME];
    size_t length;
    int overflowed;
    size_t packet_length; /* bytes of the last decoded packet in packet (0 after a too_long or cobs frame) */
    uint32_t good;
    uint32_t errors[PROTO_ERR_COUNT];
} proto_receiver;

void proto_receiver_init(proto_receiver *r);
/* Feeds one byte. Returns -1 while a frame is incomplete (and for an ignored empty frame); PROTO_OK when the byte
   completed a good packet (unpacked into msg); or the error of the frame it completed. Counts each outcome. */
int proto_receiver_feed(proto_receiver *r, uint8_t byte, proto_message *msg);

#endif
