/* The typed messages carried in link frames, made from their description in msg_layouts.h; every
 * byte is documented in docs/protocol.md. */
#ifndef K230_MSG_H
#define K230_MSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "msg_layouts.h"

#define MSG_PROTOCOL_VERSION 5
#define MSG_STRING_MAX 255
#define MSG_PATH_MAX 1023
#define MSG_FILE_READ_MAX (256u * 1024u)

#define MSG_TYPE_ENUM(NAME, code, ROLE, layout) MSG_##NAME = code,
enum msg_type_e { MSG_TYPES(MSG_TYPE_ENUM) };
#undef MSG_TYPE_ENUM

enum msg_role_e { MSG_ROLE_UNKNOWN, MSG_ROLE_REQUEST, MSG_ROLE_REPLY, MSG_ROLE_EVENT, MSG_ROLE_REPLY_OR_EVENT };

enum msg_codec_e { MSG_CODEC_H264 = 1, MSG_CODEC_H265 = 2 };
enum msg_profile_e { MSG_PROFILE_BASELINE = 0, MSG_PROFILE_MAIN = 1, MSG_PROFILE_HIGH = 2 };
enum msg_audio_codec_e { MSG_AUDIO_OFF = 0, MSG_AUDIO_G711A = 1, MSG_AUDIO_G711U = 2 };
/* What a stream shows; FOLLOW (settings only): a script's display while one shows, else the camera.
 * HELLO_REPLY's sources and SOURCES' available hold one bit (1 << source) per source. */
enum msg_source_e { MSG_SOURCE_CAMERA = 0, MSG_SOURCE_DISPLAY = 1, MSG_SOURCE_FOLLOW = 2, MSG_SOURCE_NONE = 0xFF };

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
    MSG_ERR_UNSUPPORTED = 15,    /* this agent does not do that at all (no MicroPython to run a script) */
    MSG_ERR_SCRIPT_RUNNING = 16, /* a script runs, and it holds what the request needs */
};

enum msg_file_type_e { MSG_FILE_TYPE_FILE = 1, MSG_FILE_TYPE_DIR = 2, MSG_FILE_TYPE_OTHER = 3 };

#define MSG_FRAGMENT_KEYFRAME 0x01

/* The C type each kind of field is held in (msg_layouts.h names the kinds). */
#define MSG_MEMBER_U8(name) uint8_t name;
#define MSG_MEMBER_U16(name) uint16_t name;
#define MSG_MEMBER_U32(name) uint32_t name;
#define MSG_MEMBER_U64(name) uint64_t name;
#define MSG_MEMBER_FLAG(name) uint8_t name;
#define MSG_MEMBER_CODEC(name) uint8_t name;
#define MSG_MEMBER_PROFILE(name) uint8_t name;
#define MSG_MEMBER_FILE_TYPE(name) uint8_t name;
#define MSG_MEMBER_AUDIO_CODEC(name) uint8_t name;
#define MSG_MEMBER_SOURCE(name) uint8_t name;
#define MSG_MEMBER_STRING(name) msg_string_t name;
#define MSG_MEMBER_PATH(name) msg_path_t name;
#define MSG_MEMBER_SHA256(name) msg_sha256_t name;
#define MSG_MEMBER_REST(name) struct msg_bytes_s name;
#define MSG_MEMBER_SETTINGS(name) struct msg_stream_settings_s name;
#define MSG_MEMBER_ENTRIES(name) struct msg_entries_s name;
#define MSG_MEMBER(KIND, name) MSG_MEMBER_##KIND(name)

/* Text is held as a NUL-terminated copy. */
typedef char msg_string_t[MSG_STRING_MAX + 1];
typedef char msg_path_t[MSG_PATH_MAX + 1];
typedef uint8_t msg_sha256_t[32];
/* Bytes inside a frame's payload (decoded), or wherever the sender keeps them (to encode). */
struct msg_bytes_s {
    const uint8_t *bytes;
    size_t size;
};
/* A FILE_LIST_REPLY's entries as they stand on the wire: count x MSG_ENTRY_FIELDS. */
struct msg_entries_s {
    uint16_t count;
    const uint8_t *bytes;
    size_t size;
};
struct msg_stream_settings_s { MSG_SETTINGS_FIELDS(MSG_MEMBER) };
struct msg_entry_s { MSG_ENTRY_FIELDS(MSG_MEMBER) };

#define MSG_LAYOUT_STRUCT(layout, fields) struct msg_##layout##_s { fields };
MSG_LAYOUTS(MSG_LAYOUT_STRUCT, MSG_MEMBER)
#undef MSG_LAYOUT_STRUCT

#define MSG_LAYOUT_MEMBER(layout, fields) struct msg_##layout##_s layout;
#define MSG_NO_FIELD(KIND, name)
union msg_payload_u { MSG_LAYOUTS(MSG_LAYOUT_MEMBER, MSG_NO_FIELD) };
#undef MSG_LAYOUT_MEMBER
#undef MSG_NO_FIELD

/* One decoded message: u.<layout>, the layout msg_layouts.h gives its type. */
struct msg_s {
    uint8_t type;
    uint32_t id;
    union msg_payload_u u;
};

/* 0 on success, -1 when the payload is malformed for its type or the type is unknown. */
int msg_decode(uint8_t type, uint32_t id, const uint8_t *payload, size_t len, struct msg_s *out);
/* Encodes the payload (not the frame); returns its length, or -1 when cap is too small or the type
 * is unknown. A layout whose last field is REST or ENTRIES, encoded with that field empty, gives
 * the head that goes in front of bytes sent from where they lie (the fragments, FILE_DATA). */
long msg_encode_payload(const struct msg_s *m, uint8_t *out, size_t cap);
/* Appends one FILE_LIST_REPLY entry; 0, or -1 (nothing written) when it does not fit. */
int msg_put_entry(struct bytes_writer_s *w, const struct msg_entry_s *e);
/* Reads the next entry of a decoded FILE_LIST_REPLY (msg_decode checked them all); *at starts at 0. */
void msg_next_entry(const struct msg_entries_s *entries, size_t *at, struct msg_entry_s *e);
/* "key = value" lines, one per field, in wire order: what the golden vectors compare. Like snprintf,
 * returns the whole length and writes at most cap bytes (NUL included); msg_dump(m, NULL, 0) measures. */
size_t msg_dump(const struct msg_s *m, char *out, size_t cap);
/* "HELLO", ..., or "UNKNOWN". */
const char *msg_type_name(uint8_t type);
enum msg_role_e msg_role(uint8_t type);

#endif
