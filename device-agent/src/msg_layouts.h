/* The K230 Live messages, described once: what msg.h's types and msg.c's encode, decode and dump
 * are all made from. The same description, in the same words and order, is LAYOUTS in
 * src/protocol/messages.ts; the golden vectors in test/vectors hold the two to the same bytes.
 * docs/protocol.md documents every byte; docs/protocol-as-data.md says why it is written this way.
 *
 * MSG_TYPES(TYPE): one TYPE(NAME, code, ROLE, layout) per message. ROLE is REQUEST (host to
 * agent), REPLY (agent to host, with the request's id), EVENT (agent to host, id 0) or
 * REPLY_OR_EVENT. Several messages may share a layout; `none` is the empty one.
 *
 * MSG_LAYOUTS(LAYOUT, FIELD): one LAYOUT(layout, fields) per payload layout, its fields as
 * FIELD(KIND, name) in wire order. The kinds are those of the TypeScript description:
 *   U8 U16 U32 U64  little-endian integers
 *   FLAG            a u8, 0 or 1
 *   CODEC PROFILE FILE_TYPE AUDIO_CODEC SOURCE   a u8 that holds an enum below
 *   STRING          u8 length, then that many bytes of UTF-8 without NUL
 *   PATH            u16 length (at most MSG_PATH_MAX), then that many bytes of UTF-8 without NUL
 *   SHA256          32 bytes
 *   REST            every byte to the end of the payload (always the last field)
 *   SETTINGS        the fields of MSG_SETTINGS_FIELDS
 *   ENTRIES         u16 count, then count x MSG_ENTRY_FIELDS (the last field) */
#ifndef K230_MSG_LAYOUTS_H
#define K230_MSG_LAYOUTS_H

#define MSG_TYPES(TYPE)                                             \
    TYPE(HELLO, 0x01, REQUEST, hello)                               \
    TYPE(STREAM_START, 0x02, REQUEST, stream_start)                 \
    TYPE(STREAM_STOP, 0x03, REQUEST, none)                          \
    TYPE(REQUEST_IDR, 0x04, REQUEST, none)                          \
    TYPE(SET_BITRATE, 0x05, REQUEST, set_bitrate)                   \
    TYPE(PING, 0x06, REQUEST, ping)                                 \
    TYPE(FILE_LIST, 0x10, REQUEST, file)                            \
    TYPE(FILE_STAT, 0x11, REQUEST, file)                            \
    TYPE(FILE_READ, 0x12, REQUEST, file_read)                       \
    TYPE(FILE_CHECKSUM, 0x13, REQUEST, file)                        \
    TYPE(FILE_DELETE, 0x14, REQUEST, file)                          \
    TYPE(STORAGE_INFO, 0x15, REQUEST, none)                         \
    TYPE(FILE_WRITE, 0x16, REQUEST, file_write)                     \
    TYPE(FILE_RENAME, 0x17, REQUEST, file_rename)                   \
    TYPE(FILE_MKDIR, 0x18, REQUEST, file)                           \
    TYPE(BOARD_RECORD_START, 0x20, REQUEST, board_record_start)     \
    TYPE(BOARD_RECORD_STOP, 0x21, REQUEST, none)                    \
    TYPE(BOARD_RECORD_STATUS, 0x22, REQUEST, none)                  \
    TYPE(SCRIPT_RUN, 0x30, REQUEST, script_run)                     \
    TYPE(SCRIPT_INPUT, 0x31, REQUEST, script_input)                 \
    TYPE(SCRIPT_STOP, 0x32, REQUEST, script_stop)                   \
    TYPE(OK, 0x80, REPLY, none)                                     \
    TYPE(HELLO_REPLY, 0x81, REPLY, hello_reply)                     \
    TYPE(PONG, 0x86, REPLY, pong)                                   \
    TYPE(FILE_LIST_REPLY, 0x90, REPLY, file_list_reply)             \
    TYPE(FILE_STAT_REPLY, 0x91, REPLY, file_stat_reply)             \
    TYPE(FILE_DATA, 0x92, REPLY, file_data)                         \
    TYPE(FILE_CHECKSUM_REPLY, 0x93, REPLY, file_checksum_reply)     \
    TYPE(STORAGE_INFO_REPLY, 0x95, REPLY, storage_info_reply)       \
    TYPE(ERROR, 0xFF, REPLY, error)                                 \
    TYPE(INIT_SEGMENT, 0xA0, EVENT, init_segment)                   \
    TYPE(FRAGMENT, 0xA1, EVENT, fragment)                           \
    TYPE(BOARD_RECORDING, 0xA2, REPLY_OR_EVENT, board_recording)   \
    TYPE(AUDIO_FRAGMENT, 0xA3, EVENT, audio_fragment)               \
    TYPE(SCRIPT_OUTPUT, 0xA4, EVENT, script_output)                 \
    TYPE(SCRIPT_ENDED, 0xA5, EVENT, script_ended)                   \
    TYPE(SOURCES, 0xA6, EVENT, sources)

#define MSG_SETTINGS_FIELDS(FIELD)                                                                   \
    FIELD(U16, width) FIELD(U16, height) FIELD(U16, fps) FIELD(CODEC, codec) FIELD(PROFILE, profile) \
    FIELD(U32, bitrate_kbps) FIELD(U16, gop) FIELD(AUDIO_CODEC, audio) FIELD(U16, audio_rate) \
    FIELD(SOURCE, source)

#define MSG_ENTRY_FIELDS(FIELD) FIELD(FILE_TYPE, file_type) FIELD(U64, size) FIELD(U64, mtime_ms) FIELD(STRING, name)

#define MSG_LAYOUTS(LAYOUT, FIELD)                                                                          \
    LAYOUT(hello, FIELD(U16, protocol_version) FIELD(STRING, host_name))                                    \
    LAYOUT(stream_start, FIELD(SETTINGS, settings))                                                         \
    LAYOUT(set_bitrate, FIELD(U32, bitrate_kbps))                                                           \
    LAYOUT(ping, FIELD(U64, host_time_us))                                                                  \
    LAYOUT(file, FIELD(PATH, path))                                                                         \
    LAYOUT(file_read, FIELD(PATH, path) FIELD(U64, offset) FIELD(U32, length))                              \
    LAYOUT(file_write, FIELD(PATH, path) FIELD(U64, offset) FIELD(REST, data))                              \
    LAYOUT(file_rename, FIELD(PATH, path) FIELD(PATH, to) FIELD(FLAG, replace))                             \
    LAYOUT(script_run, FIELD(STRING, name) FIELD(REST, source))                                             \
    LAYOUT(script_input, FIELD(REST, data))                                                                 \
    LAYOUT(script_stop, FIELD(FLAG, force))                                                                 \
    LAYOUT(board_record_start, FIELD(PATH, path) FIELD(SETTINGS, settings))                                 \
    LAYOUT(hello_reply, FIELD(U16, protocol_version) FIELD(STRING, agent_version) FIELD(STRING, board_name) \
                        FIELD(U8, codecs) FIELD(U16, max_width) FIELD(U16, max_height) FIELD(U16, max_fps)  \
                        FIELD(FLAG, storage) FIELD(U8, audio_codecs) FIELD(FLAG, scripts) \
                        FIELD(U8, sources))                  \
    LAYOUT(pong, FIELD(U64, host_time_us) FIELD(U64, board_time_us))                                        \
    LAYOUT(file_list_reply, FIELD(FLAG, truncated) FIELD(ENTRIES, entries))                                 \
    LAYOUT(file_stat_reply, FIELD(FILE_TYPE, file_type) FIELD(U64, size) FIELD(U64, mtime_ms))              \
    LAYOUT(file_data, FIELD(U64, offset) FIELD(REST, data))                                                 \
    LAYOUT(file_checksum_reply, FIELD(U64, size) FIELD(SHA256, sha256))                                     \
    LAYOUT(storage_info_reply, FIELD(U64, total) FIELD(U64, available))                                     \
    LAYOUT(error, FIELD(U16, code) FIELD(STRING, message))                                                  \
    LAYOUT(init_segment, FIELD(CODEC, codec) FIELD(U16, width) FIELD(U16, height)                           \
                         FIELD(STRING, codec_string) FIELD(AUDIO_CODEC, audio) FIELD(U16, audio_rate)  \
                         FIELD(SOURCE, source)                                                      \
                         FIELD(REST, data))                                   \
    LAYOUT(fragment, FIELD(U32, sequence) FIELD(U64, pts_us) FIELD(U8, flags) FIELD(U32, dropped)           \
                     FIELD(REST, data))                                                                     \
    LAYOUT(board_recording, FIELD(FLAG, active) FIELD(PATH, path) FIELD(U64, elapsed_us) FIELD(U64, bytes)  \
                            FIELD(U32, frames) FIELD(U32, dropped) FIELD(U16, error) FIELD(STRING, message)) \
    LAYOUT(audio_fragment, FIELD(U32, sequence) FIELD(U64, pts_us) FIELD(U32, dropped) FIELD(REST, data))  \
    LAYOUT(script_output, FIELD(U32, dropped) FIELD(REST, data))                                            \
    LAYOUT(script_ended, FIELD(U8, how) FIELD(U64, elapsed_us) FIELD(U32, line) FIELD(REST, traceback))    \
    LAYOUT(sources, FIELD(U8, available) FIELD(U8, live))

#endif
