/* One host conversation: decodes requests from the link and answers each with a typed reply. */
#ifndef K230_SESSION_H
#define K230_SESSION_H
#include <stdbool.h>

#include "data_sender.h"
#include "files.h"
#include "link.h"
#include "record.h"
#include "sha256.h"
#include "stream.h"
#include "wire.h"

#define SESSION_MAX_REQUEST (64u * 1024u)
/* A greeted host pings every second; one silent this long is gone (a port closed with no hang-up
 * on the board's side of the cable), and its live stream stops. */
#define SESSION_HOST_SILENCE_US (5 * 1000000LL)

struct session_config_s {
    const char *board_name;
    const char *storage_root; /* NULL when the board has no storage */
};

struct session_s {
    struct session_config_s config;
    struct link_s *link;
    struct stream_s stream;
    struct record_s record;
    struct files_s files;
    bool have_storage;
    struct wire_decoder_s decoder;
    struct data_sender_s data_sender;
    bool greeted; /* a HELLO of our protocol version arrived */
    int64_t last_heard_us; /* when bytes last came from the host */
    int64_t last_status_us;
    /* the file FILE_READ read last, kept open: a pull reads one file chunk after chunk */
    int read_fd;
    char read_path[FILES_PATH_MAX];
    /* SHA-256 of what was read of it in order from byte 0: a pull's checksum then costs nothing */
    struct sha256_s read_hash;
    uint64_t read_hashed; /* bytes in read_hash; UINT64_MAX once the reads left the sequence */
};

/* 0, or -1 (message on stderr) when the storage root does not exist or memory is short. */
int session_init(struct session_s *s, const struct session_config_s *config, const struct camera_backend_s *backend,
                 struct link_s *link);
void session_destroy(struct session_s *s);

/* For the request handlers in session_files.c */
struct msg_s;
struct msg_stream_settings_s;
void session_reply(struct session_s *s, const struct msg_s *m);
void session_ok(struct session_s *s, uint32_t id);
void session_error(struct session_s *s, uint32_t id, uint16_t code, const char *fmt, const char *detail);
struct camera_settings_s session_camera_settings(const struct msg_stream_settings_s *w);
/* Serves until *stop becomes true. A host that goes away ends its stream; the next one starts afresh. */
void session_serve(struct session_s *s, volatile bool *stop);
/* Answers one request frame: the serve loop's step, which the fuzzer (fuzz/fuzz_session.c) drives directly. */
void session_dispatch(struct session_s *s, const struct wire_frame_s *f);

#endif
