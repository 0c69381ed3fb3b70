/* Every request handler behind a real session. Arbitrary frames go through the session's own
 * decoder and dispatch; its replies go down a socket that a thread drains, decodes and counts.
 * The storage root is a temporary folder with files, a subfolder, a FIFO and links pointing in and
 * out; the camera opens nothing (fuzz_camera.c). After every input: each request got exactly one
 * well-formed reply (events, SOURCES, well-formed too, are not counted), no reply carries a byte, size or name of the files outside the root, those
 * files hold their bytes, nothing appeared outside the root, nothing is left behind inside it by
 * requests that only read or delete, and no file descriptor is left open.
 *
 * The requests that write on the card (FILE_WRITE, FILE_RENAME, FILE_MKDIR) are tamed on their way
 * in (fuzz_tame) so that what they put inside the root can never pass for what lies outside; after
 * an input with one of them, what they made inside the root is removed and the fixture put back.
 *
 * Input: a flags byte (bit 0: HELLO first; bit 1: a board without storage), then records:
 *   0xFE n <n bytes>               raw bytes on the link: garbage, partial or damaged frames
 *   type len_lo len_hi <payload>   one request frame, CRCs done here, ids counting up from 1 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, symlink, mkfifo */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_camera.h"
#include "msg.h"
#include "session.h"
#include "storage.h"
#include "wire.h"

#define FUZZ_RAW 0xFE
#define FUZZ_CLIP_SIZE (264u * 1024u) /* more than one FILE_READ answers */

#include "fuzz_fail.h"

static char fuzz_base[512];
/* The files outside the root: a size and a byte found nowhere inside it, so a reply that read, stat'd
 * or hashed one of them gives itself away. */
#define FUZZ_SECRET_SIZE 7777u
#define FUZZ_SECRET_BYTE 0xA5
static uint8_t fuzz_secret[FUZZ_SECRET_SIZE];
static const char *const fuzz_outside_names[] = {"sdcard", "secret.txt", "outside", "keep.txt"};

/* What the root holds (and the subfolder), restored after every input. */
static const char *const fuzz_root_names[] = {"a.txt", "clip.264", "examples", "escape", "up", "outdir", "inner", "fifo"};
static const char *const fuzz_examples_names[] = {"test.264"};
static const char *const fuzz_base_names[] = {"sdcard", "secret.txt", "outside"};

static void fuzz_path(char *out, size_t cap, const char *rel) { snprintf(out, cap, "%s/%s", fuzz_base, rel); }

/* The clip as it was written: a write that touched it changes its size or mtime. */
static struct stat fuzz_clip_stat;

static void fuzz_write_file(const char *rel, const uint8_t *data, size_t n) {
    char path[600];
    fuzz_path(path, sizeof(path), rel);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) FUZZ_FAIL("fixture: cannot write %s", path);
}

static void fuzz_check_secret(const char *rel) {
    char path[600];
    static uint8_t got[FUZZ_SECRET_SIZE + 1];
    fuzz_path(path, sizeof(path), rel);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(got, 1, sizeof(got), f) : 0;
    if (f) fclose(f);
    if (!f || n != FUZZ_SECRET_SIZE || memcmp(got, fuzz_secret, n))
        FUZZ_FAIL("%s outside the root was changed or removed", path);
}

/* Puts back what a FILE_DELETE may have removed inside the root. */
static void fuzz_restore_root(void) {
    char path[600];
    struct stat st;
    fuzz_path(path, sizeof(path), "sdcard/a.txt");
    if (lstat(path, &st) < 0) fuzz_write_file("sdcard/a.txt", (const uint8_t *)"hello\n", 6);
    fuzz_path(path, sizeof(path), "sdcard/examples/test.264");
    if (lstat(path, &st) < 0) fuzz_write_file("sdcard/examples/test.264", (const uint8_t *)"\0\0\0\1\x67", 5);
    fuzz_path(path, sizeof(path), "sdcard/clip.264");
    if (lstat(path, &st) < 0) {
        static uint8_t clip[FUZZ_CLIP_SIZE];
        for (size_t i = 0; i < sizeof(clip); i++) {
            clip[i] = (uint8_t)(i * 31 + (i >> 9));
            if (clip[i] == FUZZ_SECRET_BYTE) clip[i] = 0;
        }
        fuzz_write_file("sdcard/clip.264", clip, sizeof(clip));
        if (lstat(path, &fuzz_clip_stat) < 0) FUZZ_FAIL("fixture: cannot stat %s", path);
    }
}

static bool fuzz_clip_intact(void) {
    char path[600];
    struct stat st;
    fuzz_path(path, sizeof(path), "sdcard/clip.264");
    return lstat(path, &st) == 0 && st.st_ino == fuzz_clip_stat.st_ino && st.st_size == fuzz_clip_stat.st_size &&
           st.st_mtim.tv_sec == fuzz_clip_stat.st_mtim.tv_sec && st.st_mtim.tv_nsec == fuzz_clip_stat.st_mtim.tv_nsec;
}

/* Every name in a folder must be one of the expected ones. */
static void fuzz_check_names(const char *rel, const char *const *names, size_t count) {
    char path[600];
    fuzz_path(path, sizeof(path), rel);
    DIR *dir = opendir(path);
    if (!dir) FUZZ_FAIL("fixture: %s is gone", path);
    struct dirent *d;
    while ((d = readdir(dir))) {
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
        bool known = false;
        for (size_t i = 0; i < count && !known; i++) known = !strcmp(d->d_name, names[i]);
        if (!known) FUZZ_FAIL("%s/%s was left behind", path, d->d_name);
    }
    closedir(dir);
}

static int fuzz_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

static void fuzz_remove_fixture(void) {
    if (fuzz_base[0]) nftw(fuzz_base, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes what is missing of the root's fixture: its subfolder, files, links and FIFO. */
static void fuzz_fill_root(void) {
    char path[600], target[600];
    struct stat st;
    fuzz_path(path, sizeof(path), "sdcard/examples");
    if (lstat(path, &st) < 0 && mkdir(path, 0755) < 0) FUZZ_FAIL("fixture: cannot create %s", path);
    fuzz_restore_root();
    /* links: to a file outside, to the folder above the root, to a folder outside, to a file inside */
    const char *links[][2] = {{"secret.txt", "sdcard/escape"}, {"", "sdcard/up"}, {"outside", "sdcard/outdir"},
                              {NULL, "sdcard/inner"}};
    for (size_t i = 0; i < 4; i++) {
        if (links[i][0]) fuzz_path(target, sizeof(target), links[i][0]);
        else snprintf(target, sizeof(target), "a.txt");
        fuzz_path(path, sizeof(path), links[i][1]);
        if (lstat(path, &st) < 0 && symlink(target, path) < 0) FUZZ_FAIL("fixture: cannot link %s", path);
    }
    fuzz_path(path, sizeof(path), "sdcard/fifo");
    if (lstat(path, &st) < 0 && mkfifo(path, 0644) < 0) FUZZ_FAIL("fixture: cannot make %s", path);
}

/* After requests that write on the card: all they made or changed inside the root goes (the clip
 * stays when they left it alone: it is the one costly to write), then the fixture is made again. */
static void fuzz_reset_root(void) {
    char path[600];
    fuzz_path(path, sizeof(path), "sdcard");
    DIR *dir = opendir(path);
    if (!dir) FUZZ_FAIL("fixture: %s is gone", path);
    struct dirent *d;
    while ((d = readdir(dir))) {
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
        if (!strcmp(d->d_name, "clip.264") && fuzz_clip_intact()) continue;
        char entry[900];
        snprintf(entry, sizeof(entry), "%s/%s", path, d->d_name);
        if (nftw(entry, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0) FUZZ_FAIL("fixture: cannot remove %s", entry);
    }
    closedir(dir);
    fuzz_fill_root();
}

static void fuzz_make_fixture(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_base, sizeof(fuzz_base), "%s/k230-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_base)) FUZZ_FAIL("fixture: cannot create %s", fuzz_base);
    atexit(fuzz_remove_fixture);
    char path[600];
    const char *dirs[] = {"sdcard", "outside"};
    for (size_t i = 0; i < 2; i++) {
        fuzz_path(path, sizeof(path), dirs[i]);
        if (mkdir(path, 0755) < 0) FUZZ_FAIL("fixture: cannot create %s", path);
    }
    memset(fuzz_secret, FUZZ_SECRET_BYTE, sizeof(fuzz_secret));
    fuzz_write_file("secret.txt", fuzz_secret, sizeof(fuzz_secret));
    fuzz_write_file("outside/keep.txt", fuzz_secret, sizeof(fuzz_secret));
    fuzz_fill_root();
}

static int fuzz_count_fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int n = 0;
    while (readdir(dir)) n++;
    closedir(dir);
    return n;
}

/* The host's end of the link: every frame the agent sends must be a message the host can read. */
static struct wire_decoder_s fuzz_replies;
static uint64_t fuzz_reply_count;

/* A reply that shows anything of what lies outside the root. */
static void fuzz_check_reply(const struct msg_s *m) {
    switch (m->type) {
    case MSG_FILE_DATA:
        if (memchr(m->u.file_data.data.bytes, FUZZ_SECRET_BYTE, m->u.file_data.data.size))
            FUZZ_FAIL("FILE_DATA at %llu carries bytes of a file outside the root", (unsigned long long)m->u.file_data.offset);
        break;
    case MSG_FILE_STAT_REPLY:
        if (m->u.file_stat_reply.size == FUZZ_SECRET_SIZE) FUZZ_FAIL("FILE_STAT answered for a file outside the root");
        break;
    case MSG_FILE_CHECKSUM_REPLY:
        if (m->u.file_checksum_reply.size == FUZZ_SECRET_SIZE) FUZZ_FAIL("FILE_CHECKSUM hashed a file outside the root");
        break;
    case MSG_FILE_LIST_REPLY: {
        size_t at = 0;
        for (uint16_t i = 0; i < m->u.file_list_reply.entries.count; i++) {
            struct msg_entry_s e;
            msg_next_entry(&m->u.file_list_reply.entries, &at, &e);
            for (size_t k = 0; k < sizeof(fuzz_outside_names) / sizeof(fuzz_outside_names[0]); k++)
                if (!strcmp(e.name, fuzz_outside_names[k])) FUZZ_FAIL("FILE_LIST showed %s, outside the root", e.name);
        }
        break;
    }
    default:
        break;
    }
}

static void *fuzz_drain(void *arg) {
    int fd = *(const int *)arg;
    for (;;) {
        size_t avail;
        uint8_t *space = wire_decoder_space(&fuzz_replies, &avail);
        ssize_t n = read(fd, space, avail);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        wire_decoder_commit(&fuzz_replies, (size_t)n);
        struct wire_frame_s f;
        while (wire_decoder_next(&fuzz_replies, &f)) {
            struct msg_s m;
            if (msg_decode(f.type, f.id, f.payload, f.length, &m) < 0)
                FUZZ_FAIL("the agent sent a malformed %s (%u bytes)", msg_type_name(f.type), f.length);
            fuzz_check_reply(&m);
            if (msg_role(f.type) != MSG_ROLE_EVENT) fuzz_reply_count++; /* SOURCES (version 5) answers no request */
        }
    }
    return NULL;
}

/* A name made inside the root that is one of those outside would look like a leak in a listing: its
 * first letter is changed. Components only; an absolute path's first one is /sdcard itself. */
static void fuzz_tame_name(char *path) {
    bool first = true;
    for (char *p = path; *p;) {
        char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (!(first && path[0] == '/')) {
            for (size_t k = 0; k < sizeof(fuzz_outside_names) / sizeof(fuzz_outside_names[0]); k++)
                if (n && strlen(fuzz_outside_names[k]) == n && !strncmp(p, fuzz_outside_names[k], n)) p[0] = '_';
        }
        if (n) first = false;
        p += n;
        while (*p == '/') p++;
    }
}

/* The requests that write on the card, tamed so that the leak checks stay true: no byte written is
 * FUZZ_SECRET_BYTE, no file grows to FUZZ_SECRET_SIZE bytes (a file's size is always a write's
 * offset + length), no name made is one of those outside. Notes that the card may have changed. */
static void fuzz_tame(struct wire_frame_s *f, bool *changed) {
    if (f->type != MSG_FILE_WRITE && f->type != MSG_FILE_RENAME && f->type != MSG_FILE_MKDIR) return;
    *changed = true;
    static struct msg_s m;
    if (msg_decode(f->type, f->id, f->payload, f->length, &m) < 0) return; /* answered BAD_REQUEST as it is */
    static uint8_t data[SESSION_MAX_REQUEST], payload[SESSION_MAX_REQUEST + 16];
    switch (m.type) {
    case MSG_FILE_WRITE: {
        size_t n = m.u.file_write.data.size;
        memcpy(data, m.u.file_write.data.bytes, n);
        for (size_t i = 0; i < n; i++)
            if (data[i] == FUZZ_SECRET_BYTE) data[i] = 0;
        if (n && m.u.file_write.offset + n == FUZZ_SECRET_SIZE) n--;
        m.u.file_write.data = (struct msg_bytes_s){data, n};
        fuzz_tame_name(m.u.file_write.path);
        break;
    }
    case MSG_FILE_RENAME: fuzz_tame_name(m.u.file_rename.to); break;
    default: fuzz_tame_name(m.u.file.path); break;
    }
    long len = msg_encode_payload(&m, payload, sizeof(payload));
    if (len < 0) FUZZ_FAIL("a tamed %s does not encode", msg_type_name(m.type));
    f->payload = payload;
    f->length = (uint32_t)len;
}

/* Set by fuzz_tame: an input sent a request that writes on the card. */
static bool fuzz_card_changed;

/* Pushes bytes into the session as its serve loop does, dispatching each frame that completes. */
static void fuzz_feed(struct session_s *s, const uint8_t *p, size_t n, uint64_t *dispatched) {
    while (n > 0) {
        size_t took = wire_decoder_push(&s->decoder, p, n);
        p += took;
        n -= took;
        struct wire_frame_s f;
        while (wire_decoder_next(&s->decoder, &f)) {
            fuzz_tame(&f, &fuzz_card_changed);
            session_dispatch(s, &f);
            (*dispatched)++;
        }
    }
    storage_tick(&s->storage, s->greeted);
}

static void fuzz_feed_frame(struct session_s *s, uint8_t type, uint32_t id, const uint8_t *payload, size_t len,
                            uint64_t *dispatched) {
    static uint8_t frame[WIRE_HEADER_SIZE + UINT16_MAX + WIRE_TRAILER_SIZE];
    size_t n = wire_encode(frame, sizeof(frame), type, 0, id, payload, (uint32_t)len);
    fuzz_feed(s, frame, n, dispatched);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    fuzz_make_fixture();
    if (wire_decoder_init(&fuzz_replies, WIRE_MAX_PAYLOAD) < 0) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int fds_before = fuzz_count_fds();
    uint8_t flags = data[0];
    char root[600];
    fuzz_path(root, sizeof(root), "sdcard");
    struct session_config_s config = {.board_name = "Fuzz K230", .storage_root = (flags & 2) ? NULL : root};

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) abort();
    struct link_s link;
    if (link_open_fd(&link, sv[0]) < 0) abort();
    fuzz_replies.start = fuzz_replies.end = 0;
    memset(&fuzz_replies.stats, 0, sizeof(fuzz_replies.stats));
    fuzz_reply_count = 0;
    fuzz_card_changed = false;
    pthread_t drain;
    if (pthread_create(&drain, NULL, fuzz_drain, &sv[1]) != 0) abort();

    static struct session_s s; /* large (the FILE_DATA buffers): not on the stack */
    if (session_init(&s, &config, &camera_backend_fuzz, &link) < 0) abort();
    uint64_t dispatched = 0;
    uint32_t id = 1;
    if (flags & 1) {
        struct msg_s hello = {.type = MSG_HELLO, .id = id};
        hello.u.hello.protocol_version = MSG_PROTOCOL_VERSION;
        snprintf(hello.u.hello.host_name, sizeof(hello.u.hello.host_name), "fuzz");
        uint8_t payload[300];
        long n = msg_encode_payload(&hello, payload, sizeof(payload));
        fuzz_feed_frame(&s, MSG_HELLO, id++, payload, (size_t)n, &dispatched);
    }
    for (size_t at = 1; at < size;) {
        uint8_t tag = data[at++];
        if (tag == FUZZ_RAW) {
            size_t n = at < size ? data[at++] : 0;
            if (n > size - at) n = size - at;
            fuzz_feed(&s, data + at, n, &dispatched);
            at += n;
            continue;
        }
        size_t len = 0;
        if (at < size) len = data[at++];
        if (at < size) len |= (size_t)data[at++] << 8;
        if (len > size - at) len = size - at;
        fuzz_feed_frame(&s, tag, id++, data + at, len, &dispatched);
        at += len;
    }
    session_destroy(&s);

    shutdown(sv[0], SHUT_WR); /* the drain thread reads what is left, then sees the end */
    pthread_join(drain, NULL);
    link_close(&link);
    close(sv[1]);

    if (fuzz_reply_count != dispatched)
        FUZZ_FAIL("%llu requests got %llu replies", (unsigned long long)dispatched, (unsigned long long)fuzz_reply_count);
    if (fuzz_replies.stats.skipped_bytes || fuzz_replies.stats.crc_errors || fuzz_replies.end != fuzz_replies.start)
        FUZZ_FAIL("the agent sent bytes that are not whole frames");
    int fds_after = fuzz_count_fds();
    if (fds_after != fds_before) FUZZ_FAIL("%d file descriptors open before, %d after", fds_before, fds_after);
    fuzz_check_secret("secret.txt");
    fuzz_check_secret("outside/keep.txt");
    fuzz_check_names(".", fuzz_base_names, sizeof(fuzz_base_names) / sizeof(fuzz_base_names[0]));
    fuzz_check_names("outside", (const char *const[]){"keep.txt"}, 1);
    if (fuzz_card_changed) {
        fuzz_reset_root();
        return 0;
    }
    fuzz_restore_root();
    fuzz_check_names("sdcard", fuzz_root_names, sizeof(fuzz_root_names) / sizeof(fuzz_root_names[0]));
    fuzz_check_names("sdcard/examples", fuzz_examples_names, 1);
    return 0;
}
