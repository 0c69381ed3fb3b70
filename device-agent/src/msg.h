/* The typed messages carried in link frames; every byte is documented in docs/protocol.md. */
#ifndef K230_MSG_H
#define K230_MSG_H
#include <stddef.h>
#include <stdint.h>

#define MSG_PROTOCOL_VERSION 1
#define MSG_STRING_MAX 255

enum msg_type_e {
    /* host -> agent requests */
    MSG_HELLO = 0x01,
    MSG_STREAM_START = 0x02,
    MSG_STREAM_STOP = 0x03,
    MSG_REQUEST_IDR = 0x04,
    MSG_SET_BITRATE = 0x05,
    MSG_PING = 0x06,
    /* agent -> host replies (same id as the request) */
    MSG_OK = 0x80,
    MSG_HELLO_REPLY = 0x81,
    MSG_PONG = 0x86,
    MSG_ERROR = 0xFF,
    /* agent -> host events (id 0) */
    MSG_INIT_SEGMENT = 0xA0,
    MSG_FRAGMENT = 0xA1,
};

enum msg_codec_e { MSG_CODEC_H264 = 1, MSG_CODEC_H265 = 2 };
enum msg_profile_e { MSG_PROFILE_BASELINE = 0, MSG_PROFILE_MAIN = 1, MSG_PROFILE_HIGH = 2 };

enum msg_error_e {
    MSG_ERR_UNSUPPORTED_VERSION = 1,
    MSG_ERR_BAD_REQUEST = 2,
    MSG_ERR_UNKNOWN_REQUEST = 3,
    MSG_ERR_UNSUPPORTED_SETTING = 4,
    MSG_ERR_NOT_STREAMING = 5,
    MSG_ERR_HANDSHAKE_REQUIRED = 6,
    MSG_ERR_ENCODER = 7,
};

#define MSG_FRAGMENT_KEYFRAME 0x01

struct msg_stream_settings_s {
    uint16_t width, height, fps;
    uint8_t codec, profile;
    uint32_t bitrate_kbps;
    uint16_t gop;
};

/* One decoded message. Strings are NUL-terminated copies; data points into the frame payload. */
struct msg_s {
    uint8_t type;
    uint32_t id;
    union {
        struct { uint16_t protocol_version; char host_name[MSG_STRING_MAX + 1]; } hello;
        struct msg_stream_settings_s stream_start;
        struct { uint32_t bitrate_kbps; } set_bitrate;
        struct { uint64_t host_time_us; } ping;
        struct {
            uint16_t protocol_version;
            char agent_version[MSG_STRING_MAX + 1];
            char board_name[MSG_STRING_MAX + 1];
            uint8_t codecs; /* bit 0 H.264, bit 1 H.265 */
            uint16_t max_width, max_height, max_fps;
            uint8_t storage;
        } hello_reply;
        struct { uint64_t host_time_us, board_time_us; } pong;
        struct { uint16_t code; char message[MSG_STRING_MAX + 1]; } error;
        struct {
            uint8_t codec;
            uint16_t width, height;
            char codec_string[MSG_STRING_MAX + 1];
            const uint8_t *data;
            size_t size;
        } init_segment;
        struct {
            uint32_t sequence;
            uint64_t pts_us;
            uint8_t flags;
            uint32_t dropped;
            const uint8_t *data;
            size_t size;
        } fragment;
    } u;
};

#define MSG_FRAGMENT_HEAD_SIZE 17

/* 0 on success, -1 when the payload is malformed for its type or the type is unknown. */
int msg_decode(uint8_t type, uint32_t id, const uint8_t *payload, size_t len, struct msg_s *out);
/* Encodes the payload (not the frame); returns its length, or -1 when cap is too small. */
long msg_encode_payload(const struct msg_s *m, uint8_t *out, size_t cap);
/* The fixed head of a FRAGMENT payload; the moof+mdat bytes follow it on the wire. */
void msg_fragment_head(uint8_t out[MSG_FRAGMENT_HEAD_SIZE], uint32_t sequence, uint64_t pts_us, uint8_t flags,
                       uint32_t dropped);
/* "key = value" lines, one per field, in wire order: what the golden vectors compare. */
size_t msg_dump(const struct msg_s *m, char *out, size_t cap);
const char *msg_type_name(uint8_t type);

#endif
