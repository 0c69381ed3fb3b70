/* Seeds the fuzzers' corpora from the golden vectors (test/vectors: messages.vec, streams.vec), each in its target's
 * input format, plus the requests that reach every corner of fuzz_session's storage root.
 * Usage: fuzz-seed VECTORS_DIR CORPUS_DIR: writes files in CORPUS_DIR/<target>/. Safe to run again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"
#include "wire.h"

#define SEED_MAX 65536
#define SEED_RAW 0xFE /* fuzz_session: raw bytes on the link */
#define SEED_WIRE_LIMIT_64K 5 /* fuzz_wire: index of its 64 KiB payload limit */

static const char *seed_corpus;
static const char *const seed_targets[] = {"fuzz_wire", "fuzz_msg", "fuzz_session", "fuzz_text"};

static void seed_mkdir(const char *path) {
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz-seed: cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void seed_write(const char *target, const char *name, const uint8_t *data, size_t n) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", seed_corpus, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "fuzz-seed: cannot write %s\n", path);
        exit(1);
    }
}

/* fuzz_session's record for one request: type, u16 length, payload. */
static size_t seed_record(uint8_t *out, uint8_t type, const uint8_t *payload, size_t len) {
    out[0] = type;
    out[1] = (uint8_t)len;
    out[2] = (uint8_t)(len >> 8);
    memcpy(out + 3, payload, len);
    return 3 + len;
}

static size_t seed_hex(const char *text, uint8_t *out, size_t cap) {
    size_t n = 0;
    unsigned v;
    while (n < cap && sscanf(text, "%2x", &v) == 1) {
        out[n++] = (uint8_t)v;
        text += 2;
    }
    return n;
}

/* Every "frame = " / "stream = " line of a vector file, in order; returns how many. */
static size_t seed_vectors(const char *dir, const char *file, const char *key,
                           void (*on_bytes)(size_t index, const uint8_t *bytes, size_t n)) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fuzz-seed: cannot open %s\n", path);
        exit(1);
    }
    static char line[2 * SEED_MAX + 64];
    static uint8_t bytes[SEED_MAX];
    size_t count = 0, klen = strlen(key);
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, klen)) on_bytes(count++, bytes, seed_hex(line + klen, bytes, sizeof(bytes)));
    fclose(f);
    return count;
}

static uint8_t seed_all[SEED_MAX]; /* every vector frame back to back */
static size_t seed_all_len;

static void seed_from_message(size_t index, const uint8_t *frame, size_t n) {
    struct wire_decoder_s d;
    struct wire_frame_s f;
    if (wire_decoder_init(&d, WIRE_MAX_PAYLOAD) < 0 || wire_decoder_push(&d, frame, n) != n ||
        !wire_decoder_next(&d, &f)) {
        fprintf(stderr, "fuzz-seed: vector %zu is not a frame\n", index);
        exit(1);
    }
    static uint8_t out[SEED_MAX + 8];
    char name[64];
    snprintf(name, sizeof(name), "vec-%02zu-%s", index, msg_type_name(f.type));

    out[0] = SEED_WIRE_LIMIT_64K;
    out[1] = (uint8_t)(index * 37 + 1); /* piece sizes */
    memcpy(out + 2, frame, n);
    seed_write("fuzz_wire", name, out, n + 2);

    out[0] = f.type;
    memcpy(out + 1, f.payload, f.length);
    seed_write("fuzz_msg", name, out, f.length + 1);

    out[0] = 1; /* HELLO first */
    seed_write("fuzz_session", name, out, 1 + seed_record(out + 1, f.type, f.payload, f.length));

    /* fuzz_text: the frame as the host sends it to a stock board, one base64 line */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    out[o++] = (uint8_t)(index * 37 + 1);
    for (size_t i = 0; i < n && o + 5 < sizeof(out); i += 3) {
        uint32_t v = (uint32_t)frame[i] << 16 | (i + 1 < n ? (uint32_t)frame[i + 1] << 8 : 0) | (i + 2 < n ? frame[i + 2] : 0);
        out[o++] = (uint8_t)b64[v >> 18 & 63];
        out[o++] = (uint8_t)b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? (uint8_t)b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? (uint8_t)b64[v & 63] : '=';
    }
    out[o++] = '\n';
    seed_write("fuzz_text", name, out, o);

    if (seed_all_len + n <= sizeof(seed_all)) {
        memcpy(seed_all + seed_all_len, frame, n);
        seed_all_len += n;
    }
    wire_decoder_destroy(&d);
}

static void seed_from_stream(size_t index, const uint8_t *stream, size_t n) {
    static uint8_t out[SEED_MAX + 8];
    char name[64];
    snprintf(name, sizeof(name), "stream-%02zu", index);
    out[0] = SEED_WIRE_LIMIT_64K;
    out[1] = 3;
    memcpy(out + 2, stream, n);
    seed_write("fuzz_wire", name, out, n + 2);
    out[0] = 1;
    out[1] = SEED_RAW;
    out[2] = (uint8_t)(n < 255 ? n : 255);
    memcpy(out + 3, stream, out[2]);
    seed_write("fuzz_session", name, out, 3 + out[2]);
}

/* One request as a fuzz_session record, appended at out. */
static size_t seed_request(uint8_t *out, const struct msg_s *m) {
    uint8_t payload[2048];
    long n = msg_encode_payload(m, payload, sizeof(payload));
    if (n < 0) exit(1);
    return seed_record(out, m->type, payload, (size_t)n);
}

static size_t seed_path_request(uint8_t *out, uint8_t type, const char *path) {
    struct msg_s m = {.type = type};
    snprintf(m.u.file.path, sizeof(m.u.file.path), "%s", path);
    return seed_request(out, &m);
}

static size_t seed_write_request(uint8_t *out, const char *path, uint64_t offset, const char *text) {
    struct msg_s m = {.type = MSG_FILE_WRITE};
    snprintf(m.u.file_write.path, sizeof(m.u.file_write.path), "%s", path);
    m.u.file_write.offset = offset;
    m.u.file_write.data = (struct msg_bytes_s){(const uint8_t *)text, strlen(text)};
    return seed_request(out, &m);
}

static size_t seed_rename_request(uint8_t *out, const char *path, const char *to, bool replace) {
    struct msg_s m = {.type = MSG_FILE_RENAME};
    snprintf(m.u.file_rename.path, sizeof(m.u.file_rename.path), "%s", path);
    snprintf(m.u.file_rename.to, sizeof(m.u.file_rename.to), "%s", to);
    m.u.file_rename.replace = replace;
    return seed_request(out, &m);
}

static size_t seed_read_request(uint8_t *out, const char *path, uint64_t offset, uint32_t length) {
    struct msg_s m = {.type = MSG_FILE_READ};
    snprintf(m.u.file_read.path, sizeof(m.u.file_read.path), "%s", path);
    m.u.file_read.offset = offset;
    m.u.file_read.length = length;
    return seed_request(out, &m);
}

/* The requests that reach each part of fuzz_session's root: the files, the links out, the FIFO. */
static void seed_session_requests(void) {
    static const char *const paths[] = {
        "/sdcard", "/sdcard/examples", "/sdcard/a.txt", "clip.264", "/sdcard/inner", "/sdcard/fifo",
        "/sdcard/escape", "/sdcard/up", "/sdcard/up/secret.txt", "/sdcard/outdir", "/sdcard/outdir/keep.txt",
        "/sdcard/../secret.txt", "/sdcard/up/new.txt", "/sdcard/outdir/new",
        "/sdcard/examples/../a.txt", "/etc/passwd", "/sdcard/missing",
    };
    static const uint8_t types[] = {MSG_FILE_LIST, MSG_FILE_STAT, MSG_FILE_CHECKSUM, MSG_FILE_DELETE, MSG_FILE_MKDIR};
    uint8_t out[4096];
    char name[64];
    for (size_t t = 0; t < sizeof(types); t++) {
        for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
            out[0] = 1;
            size_t n = 1 + seed_path_request(out + 1, types[t], paths[p]);
            snprintf(name, sizeof(name), "req-%s-%02zu", msg_type_name(types[t]), p);
            seed_write("fuzz_session", name, out, n);
        }
    }
    for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
        out[0] = 1;
        size_t n = 1 + seed_read_request(out + 1, paths[p], 0, 4096);
        snprintf(name, sizeof(name), "req-FILE_READ-%02zu", p);
        seed_write("fuzz_session", name, out, n);
    }
    for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
        out[0] = 1;
        size_t n = 1 + seed_write_request(out + 1, paths[p], 0, "print(1)\n");
        n += seed_write_request(out + n, paths[p], 9, "print(2)\n");
        snprintf(name, sizeof(name), "req-FILE_WRITE-%02zu", p);
        seed_write("fuzz_session", name, out, n);
        out[0] = 1;
        n = 1 + seed_rename_request(out + 1, paths[p], "/sdcard/moved", false);
        n += seed_rename_request(out + n, "/sdcard/a.txt", paths[p], p & 1);
        snprintf(name, sizeof(name), "req-FILE_RENAME-%02zu", p);
        seed_write("fuzz_session", name, out, n);
    }
    /* an upload: a folder, the part in chunks, a read and a write of it, its checksum, the rename over a file */
    out[0] = 1;
    size_t n = 1 + seed_path_request(out + 1, MSG_FILE_MKDIR, "/sdcard/apps");
    n += seed_write_request(out + n, "/sdcard/apps/main.py.k230part", 0, "import time\n");
    n += seed_write_request(out + n, "/sdcard/apps/main.py.k230part", 12, "print(time.time())\n");
    n += seed_write_request(out + n, "/sdcard/apps/main.py.k230part", 3, "wrong offset");
    n += seed_read_request(out + n, "/sdcard/apps/main.py.k230part", 0, 4096);
    n += seed_path_request(out + n, MSG_FILE_CHECKSUM, "/sdcard/apps/main.py.k230part");
    n += seed_rename_request(out + n, "/sdcard/apps/main.py.k230part", "/sdcard/a.txt", true);
    n += seed_rename_request(out + n, "/sdcard/apps", "/sdcard/examples/apps", false);
    n += seed_path_request(out + n, MSG_FILE_LIST, "/sdcard/examples/apps");
    seed_write("fuzz_session", "req-upload", out, n);
    /* a pull: stat, reads in order, checksum */
    out[0] = 1;
    n = 1 + seed_path_request(out + 1, MSG_FILE_STAT, "/sdcard/clip.264");
    for (uint32_t at = 0; at < 264u * 1024u; at += 128u * 1024u) n += seed_read_request(out + n, "/sdcard/clip.264", at, 128u * 1024u);
    n += seed_path_request(out + n, MSG_FILE_CHECKSUM, "/sdcard/clip.264");
    seed_write("fuzz_session", "req-pull", out, n);
    /* board recordings: a good name (the camera fails), outside, a folder that is not there */
    static const char *const records[] = {"/sdcard/examples/new.mp4", "/sdcard/up/new.mp4", "/sdcard/no/new.mp4", ""};
    for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        struct msg_s m = {.type = MSG_BOARD_RECORD_START};
        snprintf(m.u.board_record_start.path, sizeof(m.u.board_record_start.path), "%s", records[i]);
        m.u.board_record_start.settings = (struct msg_stream_settings_s){1280, 720, 30, MSG_CODEC_H264, MSG_PROFILE_HIGH, 4000, 30, MSG_AUDIO_G711U, 8000, MSG_SOURCE_CAMERA};
        out[0] = 1;
        n = 1 + seed_request(out + 1, &m);
        n += seed_request(out + n, &(struct msg_s){.type = MSG_BOARD_RECORD_STATUS});
        snprintf(name, sizeof(name), "req-BOARD_RECORD_START-%02zu", i);
        seed_write("fuzz_session", name, out, n);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz-seed VECTORS_DIR CORPUS_DIR\n");
        return 2;
    }
    seed_corpus = argv[2];
    seed_mkdir(seed_corpus);
    for (size_t i = 0; i < sizeof(seed_targets) / sizeof(seed_targets[0]); i++) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/%s", seed_corpus, seed_targets[i]);
        seed_mkdir(dir);
    }
    size_t messages = seed_vectors(argv[1], "messages.vec", "frame = ", seed_from_message);
    size_t streams = seed_vectors(argv[1], "streams.vec", "stream = ", seed_from_stream);
    static uint8_t out[SEED_MAX + 2];
    out[0] = SEED_WIRE_LIMIT_64K;
    out[1] = 11;
    memcpy(out + 2, seed_all, seed_all_len);
    seed_write("fuzz_wire", "all-vectors", out, seed_all_len + 2);
    seed_session_requests();
    printf("fuzz-seed: %zu messages and %zu streams from %s into %s\n", messages, streams, argv[1], argv[2]);
    return 0;
}
