/* The typed messages carried in link frames; every byte is documented in docs/protocol.md. */
#ifndef K230_MSG_H
#define K230_MSG_H
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define MSG_PROTOCOL_VERSION 2
#define MSG_STRING_MAX 255
#define MSG_PATH_MAX 1023
#define MSG_FILE_READ_MAX (256u * 1024u)

enum msg_type_e {
    /* host -> agent requests */
    MSG_HELLO = 0x01,
    MSG_STREAM_START = 0x02,
    MSG_STREAM_STOP = 0x03,
    MSG_REQUEST_IDR = 0x04,
    MSG_SET_BITRATE = 0x05,
    MSG_PING = 0x06,
    MSG_FILE_LIST = 0x10,
    MSG_FILE_STAT = 0x11,
    MSG_FILE_READ = 0x12,
    MSG_FILE_CHECKSUM = 0x13,
    MSG_FILE_DELETE = 0x14,
    MSG_STORAGE_INFO = 0x15,
    MSG_BOARD_RECORD_START = 0x20,
    MSG_BOARD_RECORD_STOP = 0x21,
    MSG_BOARD_RECORD_STATUS = 0x22,
    /* agent -> host replies (same id as the request) */
    MSG_OK = 0x80,
    MSG_HELLO_REPLY = 0x81,
    MSG_PONG = 0x86,
    MSG_FILE_LIST_REPLY = 0x90,
    MSG_FILE_STAT_REPLY = 0x91,
    MSG_FILE_DATA = 0x92,
    MSG_FILE_CHECKSUM_REPLY = 0x93,
    MSG_STORAGE_INFO_REPLY = 0x95,
    MSG_ERROR = 0xFF,
    /* agent -> host events (id 0) */
    MSG_INIT_SEGMENT = 0xA0,
    MSG_FRAGMENT = 0xA1,
    /* agent -> host: reply to BOARD_RECORD_*, and an event (id 0) each second and when it stops */
    MSG_BOARD_RECORDING = 0xA2,
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
    MSG_ERR_NOT_FOUND = 8,
    MSG_ERR_OUTSIDE_ROOT = 9,
    MSG_ERR_IO = 10,
    MSG_ERR_NO_SPACE = 11,
    MSG_ERR_NO_STORAGE = 12,
    MSG_ERR_NOT_A_FILE = 13,
    MSG_ERR_EXISTS = 14,
};

enum msg_file_type_e { MSG_FILE_TYPE_FILE = 1, MSG_FILE_TYPE_DIR = 2, MSG_FILE_TYPE_OTHER = 3 };

#define MSG_LIST_ENTRY_FIXED 17 /* type, size, mtime; then the name */

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
        struct { char path[MSG_PATH_MAX + 1]; } file; /* FILE_LIST, FILE_STAT, FILE_CHECKSUM, FILE_DELETE */
        struct { char path[MSG_PATH_MAX + 1]; uint64_t offset; uint32_t length; } file_read;
        struct { char path[MSG_PATH_MAX + 1]; struct msg_stream_settings_s settings; } board_record_start;
        struct {
            uint8_t truncated;
            uint16_t count;
            const uint8_t *entries; /* count x (u8 type, u64 size, u64 mtime_ms, string name) */
            size_t size;
        } file_list_reply;
        struct { uint8_t type; uint64_t size, mtime_ms; } file_stat_reply;
        struct { uint64_t offset; const uint8_t *data; size_t size; } file_data;
        struct { uint64_t size; uint8_t sha256[32]; } file_checksum_reply;
        struct { uint64_t total, available; } storage_info_reply;
        struct {
            uint8_t active;
            char path[MSG_PATH_MAX + 1];
            uint64_t elapsed_us, bytes;
            uint32_t frames, dropped;
            uint16_t error; /* 0, or the msg_error_e that stopped it */
            char message[MSG_STRING_MAX + 1];
        } board_recording;
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
/* Appends one FILE_LIST_REPLY entry; 0, or -1 when it does not fit. */
int msg_put_list_entry(struct bytes_writer_s *w, uint8_t type, uint64_t size, uint64_t mtime_ms, const char *name);
/* Writes a u16-length path string (paths may be longer than 255 bytes). */
void msg_put_path(struct bytes_writer_s *w, const char *path);
/* "key = value" lines, one per field, in wire order: what the golden vectors compare. Like snprintf,
 * returns the whole length and writes at most cap bytes (NUL included); msg_dump(m, NULL, 0) measures. */
size_t msg_dump(const struct msg_s *m, char *out, size_t cap);
const char *msg_type_name(uint8_t type);

#endif
