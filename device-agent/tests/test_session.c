/* A session as a host sees it, for what protocol 4 added to the C agent: the requests that change
 * the card (FILE_WRITE, FILE_RENAME, FILE_MKDIR) and the script requests it cannot serve; and for
 * protocol 5's sources: a backend's camera and display, SOURCES, INIT_SEGMENT's source. Each
 * request goes through session_dispatch; each answer is read back from the link and decoded.
 * Every way out of the storage root is refused, and nothing outside it is written, renamed or made. */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink */
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "test_camera.h"
#include "msg.h"
#include "session.h"
#include "sha256.h"
#include "wire.h"

static char base[64], root[128];
static struct link_s board_link;
static int host = -1;
static struct wire_decoder_s replies;
static struct session_s session; /* large (the FILE_DATA buffers): not on the stack */
static uint32_t next_id = 1;
static struct msg_s reply;
static char said[MSG_STRING_MAX + 1]; /* the last ERROR's message */

/* ---- the camera: tests/test_camera.h, which never sends a frame here: enough for a board recording to run */

/* ---- the host's end */

static void start_session(const char *storage_root, const struct camera_backend_s *backend) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || link_open_fd(&board_link, sv[0]) < 0) exit(1);
    host = sv[1];
    struct session_config_s config = {.board_name = "Test K230", .storage_root = storage_root};
    if (session_init(&session, &config, backend, &board_link) < 0) exit(1);
    replies.start = replies.end = 0;
}

static void end_session(void) {
    session_destroy(&session);
    link_close(&board_link);
    close(host);
}

/* The events read on the way (SOURCES, INIT_SEGMENT, FRAGMENT), in order; `events` counts them all.
 * Their data fields point into the decoder's buffer: only the fixed fields are looked at. */
#define MAX_EVENTS 64
static struct msg_s seen[MAX_EVENTS];
static int events, events_looked_at;

/* The next frame from the agent, waiting at most 2 s; false when none came. */
static bool next_frame(struct wire_frame_s *r) {
    for (;;) {
        if (wire_decoder_next(&replies, r)) return true;
        struct pollfd p = {host, POLLIN, 0};
        size_t avail;
        uint8_t *space = wire_decoder_space(&replies, &avail);
        ssize_t got = poll(&p, 1, 2000) == 1 ? read(host, space, avail) : -1;
        if (got <= 0) return false;
        wire_decoder_commit(&replies, (size_t)got);
    }
}

static void keep_event(const struct wire_frame_s *r) {
    if (events < MAX_EVENTS && msg_decode(r->type, r->id, r->payload, r->length, &seen[events]) < 0)
        seen[events].type = 0;
    events++;
}

/* The next event of this type not yet looked at (those before it are passed over); NULL when none
 * came within 2 s. */
static const struct msg_s *next_event(uint8_t type) {
    for (;;) {
        while (events_looked_at < events && events_looked_at < MAX_EVENTS)
            if (seen[events_looked_at++].type == type) return &seen[events_looked_at - 1];
        struct wire_frame_s r;
        if (!next_frame(&r)) return NULL;
        if (msg_role(r.type) == MSG_ROLE_EVENT) keep_event(&r);
    }
}

/* How many SOURCES events were read since clear_events. */
static int sources_told(void) {
    int n = 0;
    for (int i = 0; i < events && i < MAX_EVENTS; i++) n += seen[i].type == MSG_SOURCES;
    return n;
}

/* Forgets the events read so far. */
static void clear_events(void) { events = events_looked_at = 0; }

/* Sends req as one frame and reads its reply into `reply` (type 0: none came within 2 s); events
 * on the way (SOURCES after HELLO_REPLY) are kept in `seen`, not taken for the reply. */
static const struct msg_s *ask(struct msg_s *req) {
    static uint8_t payload[SESSION_MAX_REQUEST];
    req->id = next_id++;
    long n = msg_encode_payload(req, payload, sizeof(payload));
    if (n < 0) exit(1);
    struct wire_frame_s f = {.type = req->type, .id = req->id, .length = (uint32_t)n, .payload = payload};
    session_dispatch(&session, &f);
    memset(&reply, 0, sizeof(reply));
    struct wire_frame_s r;
    while (next_frame(&r)) {
        if (msg_role(r.type) == MSG_ROLE_EVENT) {
            keep_event(&r);
            continue;
        }
        if (msg_decode(r.type, r.id, r.payload, r.length, &reply) < 0 || reply.id != req->id) reply.type = 0;
        break;
    }
    if (reply.type == MSG_ERROR) snprintf(said, sizeof(said), "%s", reply.u.error.message);
    return &reply;
}

/* 0 for OK, the code of an ERROR (its message in `said`), -1 for anything else. */
static int answer(struct msg_s *req) {
    said[0] = '\0';
    const struct msg_s *r = ask(req);
    return r->type == MSG_OK ? 0 : r->type == MSG_ERROR ? r->u.error.code : -1;
}

static int write_bytes(const char *path, uint64_t offset, const void *data, size_t n) {
    struct msg_s m = {.type = MSG_FILE_WRITE};
    snprintf(m.u.file_write.path, sizeof(m.u.file_write.path), "%s", path);
    m.u.file_write.offset = offset;
    m.u.file_write.data = (struct msg_bytes_s){data, n};
    return answer(&m);
}

static int write_text(const char *path, uint64_t offset, const char *text) {
    return write_bytes(path, offset, text, strlen(text));
}

static int rename_file(const char *path, const char *to, bool replace) {
    struct msg_s m = {.type = MSG_FILE_RENAME};
    snprintf(m.u.file_rename.path, sizeof(m.u.file_rename.path), "%s", path);
    snprintf(m.u.file_rename.to, sizeof(m.u.file_rename.to), "%s", to);
    m.u.file_rename.replace = replace;
    return answer(&m);
}

static int make_folder(const char *path) {
    struct msg_s m = {.type = MSG_FILE_MKDIR};
    snprintf(m.u.file.path, sizeof(m.u.file.path), "%s", path);
    return answer(&m);
}

/* ---- the card, seen from the test's side */

/* What a file under base holds ("<missing>" when there is none). */
static const char *contents(const char *rel) {
    static char text[4096];
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    FILE *f = fopen(path, "rb");
    if (!f) return "<missing>";
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static bool is_folder(const char *rel) {
    char path[256];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void make_file(const char *rel, const char *text) {
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    FILE *f = fopen(path, "w");
    if (!f) exit(1);
    fputs(text, f);
    fclose(f);
}

static void make_fixture(void) {
    snprintf(base, sizeof(base), "/tmp/k230-session-XXXXXX");
    if (!mkdtemp(base)) exit(1);
    snprintf(root, sizeof(root), "%s/sdcard", base);
    char path[256], target[256];
    const char *dirs[] = {"sdcard", "sdcard/apps", "outside"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
        if (mkdir(path, 0755) < 0) exit(1);
    }
    make_file("secret.txt", "secret");
    make_file("outside/keep.txt", "keep");
    /* links: to a file outside, to the folder above the root, to a folder outside */
    const char *links[][2] = {{"secret.txt", "sdcard/escape"}, {"", "sdcard/up"}, {"outside", "sdcard/outdir"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(target, sizeof(target), "%s/%s", base, links[i][0]);
        snprintf(path, sizeof(path), "%s/%s", base, links[i][1]);
        if (symlink(target, path) < 0) exit(1);
    }
}

/* ---- the tests */

static void test_hello_says_there_are_no_scripts_and_what_it_can_show(void) {
    struct msg_s m = {.type = MSG_HELLO};
    m.u.hello.protocol_version = MSG_PROTOCOL_VERSION;
    clear_events();
    const struct msg_s *r = ask(&m);
    CHECK_EQ_INT(r->type, MSG_HELLO_REPLY);
    CHECK_EQ_INT(r->u.hello_reply.protocol_version, 5);
    CHECK_EQ_INT(r->u.hello_reply.storage, 1);
    CHECK_EQ_INT(r->u.hello_reply.scripts, 0);
    CHECK_EQ_INT(r->u.hello_reply.sources, (1 << MSG_SOURCE_CAMERA) | (1 << MSG_SOURCE_DISPLAY));
    struct msg_s ping = {.type = MSG_PING};
    CHECK_EQ_INT(ask(&ping)->type, MSG_PONG); /* the SOURCES that followed the reply is read on the way */
    CHECK_EQ_INT(events, 1);
    const struct msg_s *sources = next_event(MSG_SOURCES);
    CHECK(sources != NULL);
    if (!sources) return;
    CHECK_EQ_INT(sources->u.sources.available, (1 << MSG_SOURCE_CAMERA) | (1 << MSG_SOURCE_DISPLAY));
    CHECK_EQ_INT(sources->u.sources.live, MSG_SOURCE_NONE);
}

static struct msg_s start_request(uint8_t source) {
    struct msg_s m = {.type = MSG_STREAM_START};
    m.u.stream_start.settings =
        (struct msg_stream_settings_s){640, 480, 30, MSG_CODEC_H264, MSG_PROFILE_BASELINE, 2000, 30, MSG_AUDIO_OFF, 0, source};
    return m;
}

/* SOURCES' live after a request, or -1 when no SOURCES came with it. */
static int live_told(void) {
    const struct msg_s *sources = next_event(MSG_SOURCES);
    return sources ? sources->u.sources.live : -1;
}

static void test_the_display_streams_with_its_source_in_the_init_segment(void) {
    clear_events();
    struct msg_s start = start_request(MSG_SOURCE_DISPLAY);
    CHECK_EQ_INT(answer(&start), 0);
    CHECK_EQ_INT(test_opened.source, CAMERA_SOURCE_DISPLAY); /* the backend was asked for its display */
    CHECK_EQ_INT(live_told(), MSG_SOURCE_DISPLAY);
    CHECK(!test_camera_frame(true));
    CHECK(!test_camera_frame(false));
    const struct msg_s *init = next_event(MSG_INIT_SEGMENT);
    CHECK(init != NULL);
    if (init) {
        CHECK_EQ_INT(init->u.init_segment.source, MSG_SOURCE_DISPLAY);
        CHECK_EQ_INT(init->u.init_segment.width, 640);
    }
    const struct msg_s *first = next_event(MSG_FRAGMENT);
    CHECK(first != NULL && (first->u.fragment.flags & MSG_FRAGMENT_KEYFRAME));
    CHECK(next_event(MSG_FRAGMENT) != NULL); /* the picture after the keyframe: the same pipeline */

    clear_events();
    struct msg_s stop = {.type = MSG_STREAM_STOP};
    CHECK_EQ_INT(answer(&stop), 0);
    CHECK_EQ_INT(live_told(), MSG_SOURCE_NONE);
    CHECK_EQ_INT(answer(&stop), 0); /* nothing changed: nothing more is said */
    CHECK_EQ_INT(sources_told(), 1);
}

static void test_follow_streams_the_camera_and_sources_say_each_change(void) {
    clear_events();
    struct msg_s follow = start_request(MSG_SOURCE_FOLLOW);
    CHECK_EQ_INT(answer(&follow), 0);
    CHECK_EQ_INT(test_opened.source, CAMERA_SOURCE_CAMERA); /* no script runs here: no display to follow */
    CHECK_EQ_INT(live_told(), MSG_SOURCE_CAMERA);
    CHECK(!test_camera_frame(true));
    const struct msg_s *init = next_event(MSG_INIT_SEGMENT);
    CHECK(init != NULL && init->u.init_segment.source == MSG_SOURCE_CAMERA);

    clear_events();
    struct msg_s camera = start_request(MSG_SOURCE_CAMERA);
    CHECK_EQ_INT(answer(&camera), 0); /* a restart on the same source: live did not change */
    CHECK_EQ_INT(sources_told(), 0);
    struct msg_s display = start_request(MSG_SOURCE_DISPLAY);
    CHECK_EQ_INT(answer(&display), 0);
    CHECK_EQ_INT(live_told(), MSG_SOURCE_DISPLAY);

    clear_events();
    struct msg_s hello = {.type = MSG_HELLO};
    hello.u.hello.protocol_version = MSG_PROTOCOL_VERSION;
    CHECK_EQ_INT(ask(&hello)->type, MSG_HELLO_REPLY); /* a new host: the stream stops, and it hears so */
    CHECK_EQ_INT(live_told(), MSG_SOURCE_NONE);
}

static void test_an_unknown_source_is_refused_and_the_stream_goes_on(void) {
    struct msg_s camera = start_request(MSG_SOURCE_CAMERA);
    CHECK_EQ_INT(answer(&camera), 0);
    clear_events();
    struct msg_s unknown = start_request(7);
    CHECK_EQ_INT(answer(&unknown), MSG_ERR_UNSUPPORTED_SETTING);
    CHECK_EQ_STR(said, "unknown source 7");
    CHECK_EQ_INT(sources_told(), 0); /* the camera's stream goes on: live is still the camera */
    struct msg_s stop = {.type = MSG_STREAM_STOP};
    CHECK_EQ_INT(answer(&stop), 0);
}

static void test_the_board_records_its_display(void) {
    struct msg_s start = {.type = MSG_BOARD_RECORD_START};
    snprintf(start.u.board_record_start.path, sizeof(start.u.board_record_start.path), "/sdcard/display.mp4");
    start.u.board_record_start.settings = start_request(MSG_SOURCE_DISPLAY).u.stream_start.settings;
    CHECK_EQ_INT(ask(&start)->type, MSG_BOARD_RECORDING);
    CHECK_EQ_INT(reply.u.board_recording.active, 1);
    CHECK_EQ_INT(test_opened.source, CAMERA_SOURCE_DISPLAY);
    struct msg_s stop = {.type = MSG_BOARD_RECORD_STOP};
    CHECK_EQ_INT(ask(&stop)->type, MSG_BOARD_RECORDING);
    CHECK_EQ_INT(reply.u.board_recording.active, 0);
}

static void test_a_script_request_is_unsupported(void) {
    struct msg_s run = {.type = MSG_SCRIPT_RUN};
    snprintf(run.u.script_run.name, sizeof(run.u.script_run.name), "hello.py");
    run.u.script_run.source = (struct msg_bytes_s){(const uint8_t *)"print(1)\n", 9};
    struct msg_s input = {.type = MSG_SCRIPT_INPUT};
    input.u.script_input.data = (struct msg_bytes_s){(const uint8_t *)"y\n", 2};
    struct msg_s stop = {.type = MSG_SCRIPT_STOP};
    stop.u.script_stop.force = 1;
    CHECK_EQ_INT(answer(&run), MSG_ERR_UNSUPPORTED);
    CHECK(strstr(said, "no MicroPython") != NULL);
    CHECK_EQ_INT(answer(&input), MSG_ERR_UNSUPPORTED);
    CHECK_EQ_INT(answer(&stop), MSG_ERR_UNSUPPORTED);
}

static void test_a_write_at_0_creates_the_file(void) {
    CHECK_EQ_INT(write_text("/sdcard/main.py", 0, "print(1)\n"), 0);
    CHECK_EQ_STR(contents("sdcard/main.py"), "print(1)\n");
    CHECK_EQ_INT(write_text("apps/empty.py", 0, ""), 0); /* relative to /sdcard, and nothing in it */
    CHECK_EQ_STR(contents("sdcard/apps/empty.py"), "");
}

static void test_a_write_at_0_empties_the_file_first(void) {
    make_file("sdcard/long.txt", "a long text that was there before");
    CHECK_EQ_INT(write_text("/sdcard/long.txt", 0, "short"), 0);
    CHECK_EQ_STR(contents("sdcard/long.txt"), "short");
}

static void test_writes_at_the_end_append(void) {
    CHECK_EQ_INT(write_text("/sdcard/notes.txt", 0, "hello "), 0);
    CHECK_EQ_INT(write_text("/sdcard/notes.txt", 6, "world"), 0);
    CHECK_EQ_INT(write_text("/sdcard/notes.txt", 11, ""), 0);
    CHECK_EQ_STR(contents("sdcard/notes.txt"), "hello world");
}

static void test_a_write_neither_at_0_nor_at_the_end_is_refused(void) {
    CHECK_EQ_INT(write_text("/sdcard/notes.txt", 3, "XX"), MSG_ERR_BAD_REQUEST);
    CHECK_EQ_STR(said, "offset 3 is not the end of /sdcard/notes.txt (11 bytes)");
    CHECK_EQ_INT(write_text("/sdcard/notes.txt", 12, "XX"), MSG_ERR_BAD_REQUEST);
    CHECK_EQ_INT(write_text("/sdcard/notes.txt", UINT64_MAX, "XX"), MSG_ERR_BAD_REQUEST);
    CHECK_EQ_STR(contents("sdcard/notes.txt"), "hello world");
    CHECK_EQ_INT(write_text("/sdcard/never-started.txt", 5, "XX"), MSG_ERR_NOT_FOUND);
    CHECK_EQ_STR(contents("sdcard/never-started.txt"), "<missing>");
}

static void test_a_write_needs_a_file_in_an_existing_folder(void) {
    CHECK_EQ_INT(write_text("/sdcard/apps", 0, "x"), MSG_ERR_NOT_A_FILE);
    CHECK_EQ_INT(write_text("/sdcard", 0, "x"), MSG_ERR_NOT_A_FILE);
    CHECK_EQ_INT(write_text("/sdcard/nofolder/a.py", 0, "x"), MSG_ERR_NOT_FOUND);
    CHECK_EQ_STR(said, "no folder to hold /sdcard/nofolder/a.py");
}

/* The host's upload: NAME.k230part in chunks, its checksum, then the rename. */
static void test_an_upload_in_chunks_checks_out_and_takes_its_name(void) {
    static uint8_t data[3 * 48 * 1024 + 100];
    for (size_t i = 0; i < sizeof(data); i++) data[i] = (uint8_t)(i * 7 + (i >> 11));
    for (size_t at = 0; at < sizeof(data); at += 48 * 1024) {
        size_t n = sizeof(data) - at < 48 * 1024 ? sizeof(data) - at : 48 * 1024;
        CHECK_EQ_INT(write_bytes("/sdcard/apps/big.bin.k230part", at, data + at, n), 0);
    }
    struct msg_s sum = {.type = MSG_FILE_CHECKSUM};
    snprintf(sum.u.file.path, sizeof(sum.u.file.path), "/sdcard/apps/big.bin.k230part");
    const struct msg_s *r = ask(&sum);
    CHECK_EQ_INT(r->type, MSG_FILE_CHECKSUM_REPLY);
    CHECK_EQ_INT(r->u.file_checksum_reply.size, sizeof(data));
    uint8_t want[32];
    struct sha256_s h;
    sha256_init(&h);
    sha256_update(&h, data, sizeof(data));
    sha256_final(&h, want);
    CHECK(!memcmp(r->u.file_checksum_reply.sha256, want, 32));
    CHECK_EQ_INT(rename_file("/sdcard/apps/big.bin.k230part", "/sdcard/apps/big.bin", false), 0);
    CHECK_EQ_STR(contents("sdcard/apps/big.bin.k230part"), "<missing>");
    struct stat st;
    char path[256];
    snprintf(path, sizeof(path), "%s/apps/big.bin", root);
    CHECK_EQ_INT(stat(path, &st), 0);
    CHECK_EQ_INT(st.st_size, sizeof(data));
}

/* A file read (its hash kept as it went) then written: the checksum is of what it holds now. */
static void test_a_checksum_after_a_write_is_of_the_new_bytes(void) {
    make_file("sdcard/read-then-write.txt", "first");
    struct msg_s read = {.type = MSG_FILE_READ};
    snprintf(read.u.file_read.path, sizeof(read.u.file_read.path), "/sdcard/read-then-write.txt");
    read.u.file_read.length = 4096;
    CHECK_EQ_INT(ask(&read)->type, MSG_FILE_DATA);
    CHECK_EQ_INT(write_text("/sdcard/read-then-write.txt", 0, "other"), 0);
    struct msg_s sum = {.type = MSG_FILE_CHECKSUM};
    snprintf(sum.u.file.path, sizeof(sum.u.file.path), "/sdcard/read-then-write.txt");
    const struct msg_s *r = ask(&sum);
    uint8_t want[32];
    struct sha256_s h;
    sha256_init(&h);
    sha256_update(&h, (const uint8_t *)"other", 5);
    sha256_final(&h, want);
    CHECK_EQ_INT(r->type, MSG_FILE_CHECKSUM_REPLY);
    CHECK(!memcmp(r->u.file_checksum_reply.sha256, want, 32));
}

static void test_a_rename_onto_an_existing_name_needs_replace(void) {
    make_file("sdcard/a.py", "new");
    make_file("sdcard/b.py", "old");
    CHECK_EQ_INT(rename_file("/sdcard/a.py", "/sdcard/b.py", false), MSG_ERR_EXISTS);
    CHECK_EQ_STR(said, "/sdcard/b.py already exists");
    CHECK_EQ_STR(contents("sdcard/a.py"), "new");
    CHECK_EQ_STR(contents("sdcard/b.py"), "old");
    CHECK_EQ_INT(rename_file("/sdcard/a.py", "b.py", true), 0);
    CHECK_EQ_STR(contents("sdcard/a.py"), "<missing>");
    CHECK_EQ_STR(contents("sdcard/b.py"), "new");
}

static void test_a_rename_never_replaces_a_folder(void) {
    make_file("sdcard/c.py", "c");
    CHECK_EQ_INT(rename_file("/sdcard/c.py", "/sdcard/apps", true), MSG_ERR_EXISTS);
    CHECK(is_folder("sdcard/apps"));
    CHECK_EQ_STR(contents("sdcard/c.py"), "c");
}

static void test_a_rename_of_what_is_missing_or_into_a_missing_folder_is_not_found(void) {
    CHECK_EQ_INT(rename_file("/sdcard/missing.py", "/sdcard/d.py", false), MSG_ERR_NOT_FOUND);
    CHECK_EQ_INT(rename_file("/sdcard/c.py", "/sdcard/nofolder/c.py", false), MSG_ERR_NOT_FOUND);
    CHECK_EQ_STR(contents("sdcard/c.py"), "c");
}

static void test_a_folder_can_be_renamed_but_not_into_itself(void) {
    CHECK_EQ_INT(make_folder("/sdcard/lib"), 0);
    CHECK_EQ_INT(write_text("/sdcard/lib/util.py", 0, "x = 1\n"), 0);
    CHECK_EQ_INT(rename_file("/sdcard/lib", "/sdcard/lib/inner", false), MSG_ERR_BAD_REQUEST);
    CHECK_EQ_INT(rename_file("/sdcard/lib", "/sdcard/libs", false), 0);
    CHECK(!is_folder("sdcard/lib"));
    CHECK_EQ_STR(contents("sdcard/libs/util.py"), "x = 1\n");
    CHECK_EQ_INT(rename_file("/sdcard", "/sdcard/card", false), MSG_ERR_BAD_REQUEST);
    CHECK(is_folder("sdcard"));
}

static void test_mkdir_makes_one_folder_in_an_existing_one(void) {
    CHECK_EQ_INT(make_folder("/sdcard/photos"), 0);
    CHECK(is_folder("sdcard/photos"));
    CHECK_EQ_INT(make_folder("/sdcard/photos"), MSG_ERR_EXISTS);
    CHECK_EQ_INT(make_folder("/sdcard/main.py"), MSG_ERR_EXISTS);
    CHECK_EQ_INT(make_folder("/sdcard/a/b"), MSG_ERR_NOT_FOUND);
    CHECK(!is_folder("sdcard/a"));
}

/* `..`, an absolute path elsewhere, a link to a file outside, a link to a folder outside. */
static void test_the_ways_out_of_the_root_are_refused_for_all_three(void) {
    char elsewhere[200];
    snprintf(elsewhere, sizeof(elsewhere), "%s/outside/new.txt", base);
    const char *outs[] = {"../new.txt", "/sdcard/../new.txt", "/sdcard/apps/../../outside/new.txt", elsewhere,
                          "/sdcard/escape", "/sdcard/up/new.txt", "/sdcard/outdir/keep.txt", "/sdcard/outdir/new"};
    make_file("sdcard/mine.txt", "mine");
    for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
        CHECK_EQ_INT(write_text(outs[i], 0, "XX"), MSG_ERR_OUTSIDE_ROOT);
        CHECK_EQ_INT(write_text(outs[i], 4, "XX"), MSG_ERR_OUTSIDE_ROOT);
        CHECK_EQ_INT(make_folder(outs[i]), MSG_ERR_OUTSIDE_ROOT);
        CHECK_EQ_INT(rename_file(outs[i], "/sdcard/taken.txt", false), MSG_ERR_OUTSIDE_ROOT);
        CHECK_EQ_INT(rename_file("/sdcard/mine.txt", outs[i], false), MSG_ERR_OUTSIDE_ROOT);
        CHECK_EQ_INT(rename_file("/sdcard/mine.txt", outs[i], true), MSG_ERR_OUTSIDE_ROOT);
    }
    CHECK_EQ_STR(contents("secret.txt"), "secret");
    CHECK_EQ_STR(contents("outside/keep.txt"), "keep");
    CHECK_EQ_STR(contents("outside/new.txt"), "<missing>");
    CHECK_EQ_STR(contents("outside/new"), "<missing>");
    CHECK_EQ_STR(contents("new.txt"), "<missing>");
    CHECK_EQ_STR(contents("sdcard/taken.txt"), "<missing>");
    CHECK_EQ_STR(contents("sdcard/mine.txt"), "mine");
}

static void test_the_file_being_recorded_is_not_written_or_moved(void) {
    struct msg_s start = {.type = MSG_BOARD_RECORD_START};
    snprintf(start.u.board_record_start.path, sizeof(start.u.board_record_start.path), "/sdcard/photos/rec.mp4");
    start.u.board_record_start.settings =
        (struct msg_stream_settings_s){1280, 720, 30, MSG_CODEC_H264, MSG_PROFILE_HIGH, 4000, 30, MSG_AUDIO_OFF, 0, MSG_SOURCE_CAMERA};
    CHECK_EQ_INT(ask(&start)->type, MSG_BOARD_RECORDING);
    CHECK_EQ_INT(reply.u.board_recording.active, 1);
    CHECK_EQ_INT(write_text("/sdcard/photos/rec.mp4", 0, "XX"), MSG_ERR_EXISTS);
    CHECK_EQ_INT(rename_file("/sdcard/photos/rec.mp4", "/sdcard/rec.mp4", false), MSG_ERR_EXISTS);
    CHECK_EQ_INT(rename_file("/sdcard/photos", "/sdcard/pictures", false), MSG_ERR_EXISTS);
    CHECK_EQ_STR(said, "/sdcard/photos holds /sdcard/photos/rec.mp4, which is being recorded: stop the recording first");
    CHECK_EQ_INT(rename_file("/sdcard/main.py", "/sdcard/photos/rec.mp4", true), MSG_ERR_EXISTS);
    CHECK(is_folder("sdcard/photos"));
    struct msg_s stop = {.type = MSG_BOARD_RECORD_STOP};
    CHECK_EQ_INT(ask(&stop)->type, MSG_BOARD_RECORDING);
    CHECK_EQ_INT(rename_file("/sdcard/photos", "/sdcard/pictures", false), 0);
}

static void test_a_board_without_storage_says_so(void) {
    struct msg_s hello = {.type = MSG_HELLO};
    hello.u.hello.protocol_version = MSG_PROTOCOL_VERSION;
    CHECK_EQ_INT(ask(&hello)->type, MSG_HELLO_REPLY);
    CHECK_EQ_INT(write_text("/sdcard/main.py", 0, "x"), MSG_ERR_NO_STORAGE);
    CHECK_EQ_INT(rename_file("/sdcard/main.py", "/sdcard/m.py", false), MSG_ERR_NO_STORAGE);
    CHECK_EQ_INT(make_folder("/sdcard/new"), MSG_ERR_NO_STORAGE);
}

/* A backend with a camera only: HELLO_REPLY and SOURCES say so, and the display is refused. */
static void test_a_board_without_a_display_says_so(void) {
    struct msg_s hello = {.type = MSG_HELLO};
    hello.u.hello.protocol_version = MSG_PROTOCOL_VERSION;
    clear_events();
    CHECK_EQ_INT(ask(&hello)->u.hello_reply.sources, 1 << MSG_SOURCE_CAMERA);
    const struct msg_s *sources = next_event(MSG_SOURCES);
    CHECK(sources != NULL && sources->u.sources.available == 1 << MSG_SOURCE_CAMERA);
    struct msg_s display = start_request(MSG_SOURCE_DISPLAY);
    CHECK_EQ_INT(answer(&display), MSG_ERR_UNSUPPORTED_SETTING);
    CHECK_EQ_STR(said, "this board has no display to stream");
    struct msg_s follow = start_request(MSG_SOURCE_FOLLOW);
    CHECK_EQ_INT(answer(&follow), 0);
    CHECK_EQ_INT(live_told(), MSG_SOURCE_CAMERA);
}

int main(void) {
    alarm(60); /* a request left without a reply fails the test instead of hanging it */
    make_fixture();
    start_session(root, &test_camera);
    if (wire_decoder_init(&replies, WIRE_MAX_PAYLOAD) < 0) return 1;
    test_hello_says_there_are_no_scripts_and_what_it_can_show();
    test_the_display_streams_with_its_source_in_the_init_segment();
    test_follow_streams_the_camera_and_sources_say_each_change();
    test_an_unknown_source_is_refused_and_the_stream_goes_on();
    test_the_board_records_its_display();
    test_a_script_request_is_unsupported();
    test_a_write_at_0_creates_the_file();
    test_a_write_at_0_empties_the_file_first();
    test_writes_at_the_end_append();
    test_a_write_neither_at_0_nor_at_the_end_is_refused();
    test_a_write_needs_a_file_in_an_existing_folder();
    test_an_upload_in_chunks_checks_out_and_takes_its_name();
    test_a_checksum_after_a_write_is_of_the_new_bytes();
    test_a_rename_onto_an_existing_name_needs_replace();
    test_a_rename_never_replaces_a_folder();
    test_a_rename_of_what_is_missing_or_into_a_missing_folder_is_not_found();
    test_a_folder_can_be_renamed_but_not_into_itself();
    test_mkdir_makes_one_folder_in_an_existing_one();
    test_the_ways_out_of_the_root_are_refused_for_all_three();
    test_the_file_being_recorded_is_not_written_or_moved();
    end_session();

    start_session(NULL, &test_camera);
    test_a_board_without_storage_says_so();
    end_session();

    struct camera_backend_s camera_only = test_camera;
    camera_only.sources = 1u << CAMERA_SOURCE_CAMERA;
    start_session(NULL, &camera_only);
    test_a_board_without_a_display_says_so();
    end_session();
    wire_decoder_destroy(&replies);

    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    CHECK_EQ_INT(system(cmd), 0);
    return check_report("test_session");
}
