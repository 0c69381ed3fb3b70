#define _XOPEN_SOURCE 700 /* pread */
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "reply.h"
#include "settings.h"

#define STORAGE_LIST_MAX (512u * 1024u)

int storage_init(struct storage_s *s, const char *root, const struct camera_backend_s *backend, struct link_s *link) {
    memset(s, 0, sizeof(*s));
    s->link = link;
    s->read_fd = -1;
    if (root) {
        if (files_init(&s->files, root) < 0) {
            fprintf(stderr, "agent: storage root %s does not exist\n", root);
            return -1;
        }
        s->present = true;
    }
    if (data_sender_init(&s->data_sender, link) < 0) {
        fprintf(stderr, "agent: cannot start the file data thread\n");
        return -1;
    }
    record_init(&s->record, backend, &s->files);
    return 0;
}

static void storage_close_read(struct storage_s *s) {
    if (s->read_fd >= 0) close(s->read_fd);
    s->read_fd = -1;
    s->read_path[0] = '\0';
}

void storage_destroy(struct storage_s *s) {
    record_destroy(&s->record);
    data_sender_destroy(&s->data_sender);
    storage_close_read(s);
}

static uint16_t storage_code(enum files_status_e st) {
    switch (st) {
    case FILES_NOT_FOUND: return MSG_ERR_NOT_FOUND;
    case FILES_OUTSIDE_ROOT: return MSG_ERR_OUTSIDE_ROOT;
    case FILES_NO_SPACE: return MSG_ERR_NO_SPACE;
    case FILES_NOT_A_FILE: return MSG_ERR_NOT_A_FILE;
    case FILES_EXISTS: return MSG_ERR_EXISTS;
    case FILES_NOT_AT_END: return MSG_ERR_BAD_REQUEST;
    default: return MSG_ERR_IO;
    }
}

static void storage_fail(struct storage_s *s, uint32_t id, enum files_status_e st, const char *path) {
    uint16_t code = storage_code(st);
    switch (st) {
    case FILES_NOT_FOUND: reply_error(s->link, id, code, "no such file or folder: %s", path); break;
    case FILES_OUTSIDE_ROOT: reply_error(s->link, id, code, "%s is outside " FILES_VIRTUAL_ROOT, path); break;
    case FILES_NO_SPACE: reply_error(s->link, id, code, "the card is full (%s)", path); break;
    case FILES_NOT_A_FILE: reply_error(s->link, id, code, "%s is not a file", path); break;
    case FILES_EXISTS: reply_error(s->link, id, code, "%s already exists", path); break;
    case FILES_NOT_AT_END: reply_error(s->link, id, code, "a write to %s must start at 0 or at its end", path); break;
    default: reply_error(s->link, id, code, "I/O error on %s", path); break;
    }
}

/* False, with NO_STORAGE answered, on a board without storage. */
static bool storage_present(struct storage_s *s, uint32_t id) {
    if (!s->present) reply_error(s->link, id, MSG_ERR_NO_STORAGE, "this board has no storage");
    return s->present;
}

/* Resolves a request's path, answering the error itself; false when it did. */
static bool storage_resolve(struct storage_s *s, uint32_t id, const char *path, char *real, size_t cap) {
    if (!storage_present(s, id)) return false;
    enum files_status_e st = files_resolve(&s->files, path, false, real, cap);
    if (st != FILES_OK) storage_fail(s, id, st, path);
    return st == FILES_OK;
}

/* Resolves a path that names a file or folder to make (its folder must exist) or one already there. */
static bool storage_resolve_target(struct storage_s *s, uint32_t id, const char *path, char *real, size_t cap) {
    if (!storage_present(s, id)) return false;
    enum files_status_e st = files_resolve(&s->files, path, true, real, cap);
    if (st == FILES_EXISTS) st = files_resolve(&s->files, path, false, real, cap);
    if (st == FILES_NOT_FOUND) reply_error(s->link, id, MSG_ERR_NOT_FOUND, "no folder to hold %s", path);
    else if (st != FILES_OK) storage_fail(s, id, st, path);
    return st == FILES_OK;
}

/* True, with the request refused, when real is the file the board is recording or a folder holding it. */
static bool storage_recording_within(struct storage_s *s, uint32_t id, const char *real, const char *path) {
    char recording[FILES_PATH_MAX];
    struct record_status_s rs = record_status(&s->record);
    if (!rs.active || files_resolve(&s->files, rs.path, false, recording, sizeof(recording)) != FILES_OK ||
        !files_within(recording, real))
        return false;
    if (!strcmp(recording, real))
        reply_error(s->link, id, MSG_ERR_EXISTS, "%s is being recorded: stop the recording first", path);
    else
        reply_error(s->link, id, MSG_ERR_EXISTS, "%s holds %s, which is being recorded: stop the recording first", path,
                    rs.path);
    return true;
}

struct storage_list_s {
    struct bytes_writer_s w;
    uint16_t count;
    bool truncated;
};

static int storage_add_entry(void *ctx, const struct files_entry_s *e) {
    struct storage_list_s *l = ctx;
    struct msg_entry_s entry = {.file_type = e->type, .size = e->size, .mtime_ms = e->mtime_ms};
    snprintf(entry.name, sizeof(entry.name), "%s", e->name);
    if (l->count == UINT16_MAX || msg_put_entry(&l->w, &entry) < 0) {
        l->truncated = true;
        return 1;
    }
    l->count++;
    return 0;
}

static void storage_list(struct storage_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!storage_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    static uint8_t entries[STORAGE_LIST_MAX];
    struct storage_list_s list = {.count = 0};
    bytes_writer_init(&list.w, entries, sizeof(entries));
    enum files_status_e st = files_list(real, storage_add_entry, &list);
    if (st != FILES_OK) {
        storage_fail(s, req->id, st == FILES_NOT_FOUND ? FILES_NOT_FOUND : st, req->u.file.path);
        return;
    }
    /* The reply's head, encoded with its entries left out: they go from where they were listed. */
    struct msg_s m = {.type = MSG_FILE_LIST_REPLY, .id = req->id};
    m.u.file_list_reply.truncated = list.truncated;
    m.u.file_list_reply.entries.count = list.count;
    uint8_t head[8];
    long head_len = msg_encode_payload(&m, head, sizeof(head));
    struct iovec parts[2] = {{head, (size_t)head_len}, {entries, list.w.len}};
    if (link_send(s->link, MSG_FILE_LIST_REPLY, req->id, parts, 2) < 0)
        fprintf(stderr, "agent: FILE_LIST_REPLY lost: link write failed\n");
}

static void storage_stat(struct storage_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!storage_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    struct files_entry_s e;
    enum files_status_e st = files_stat(real, &e);
    if (st != FILES_OK) {
        storage_fail(s, req->id, st, req->u.file.path);
        return;
    }
    struct msg_s m = {.type = MSG_FILE_STAT_REPLY, .id = req->id};
    m.u.file_stat_reply.file_type = e.type;
    m.u.file_stat_reply.size = e.size;
    m.u.file_stat_reply.mtime_ms = e.mtime_ms;
    reply_send(s->link, &m);
}

static void storage_read(struct storage_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!storage_resolve(s, req->id, req->u.file_read.path, real, sizeof(real))) return;
    if (s->read_fd < 0 || strcmp(real, s->read_path)) {
        storage_close_read(s);
        enum files_status_e st;
        s->read_fd = files_open_read(real, &st);
        if (s->read_fd < 0) {
            storage_fail(s, req->id, st, req->u.file_read.path);
            return;
        }
        snprintf(s->read_path, sizeof(s->read_path), "%s", real);
        sha256_init(&s->read_hash);
        s->read_hashed = 0;
    }
    struct data_slot_s *slot = data_sender_slot(&s->data_sender);
    uint32_t want = req->u.file_read.length < MSG_FILE_READ_MAX ? req->u.file_read.length : MSG_FILE_READ_MAX;
    ssize_t n = pread(s->read_fd, slot->data, want, (off_t)req->u.file_read.offset);
    if (n < 0) {
        storage_fail(s, req->id, errno == EISDIR ? FILES_NOT_A_FILE : FILES_IO, req->u.file_read.path);
        storage_close_read(s);
        return;
    }
    if (req->u.file_read.offset == s->read_hashed) {
        sha256_update(&s->read_hash, slot->data, (size_t)n);
        s->read_hashed += (uint64_t)n;
    } else if (req->u.file_read.offset > s->read_hashed) {
        s->read_hashed = UINT64_MAX; /* a gap: this file's checksum will be computed from the file */
    }
    data_sender_submit(&s->data_sender, slot, req->id, req->u.file_read.offset, (size_t)n);
}

static void storage_checksum(struct storage_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!storage_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    struct msg_s m = {.type = MSG_FILE_CHECKSUM_REPLY, .id = req->id};
    struct files_entry_s e;
    if (s->read_fd >= 0 && !strcmp(real, s->read_path) && files_stat(real, &e) == FILES_OK && e.size == s->read_hashed) {
        /* The whole file went out in order since it was opened: its hash is already made. */
        struct sha256_s done = s->read_hash;
        sha256_final(&done, m.u.file_checksum_reply.sha256);
        m.u.file_checksum_reply.size = e.size;
        reply_send(s->link, &m);
        return;
    }
    enum files_status_e st = files_checksum(real, m.u.file_checksum_reply.sha256, &m.u.file_checksum_reply.size);
    if (st != FILES_OK) storage_fail(s, req->id, st, req->u.file.path);
    else reply_send(s->link, &m);
}

static void storage_delete(struct storage_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!storage_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    if (storage_recording_within(s, req->id, real, req->u.file.path)) return;
    if (!strcmp(real, s->read_path)) storage_close_read(s);
    enum files_status_e st = files_delete(real);
    if (st != FILES_OK) storage_fail(s, req->id, st, req->u.file.path);
    else reply_ok(s->link, req->id);
}

static void storage_write(struct storage_s *s, const struct msg_s *req) {
    const struct msg_file_write_s *w = &req->u.file_write;
    char real[FILES_PATH_MAX];
    if (!storage_resolve_target(s, req->id, w->path, real, sizeof(real))) return;
    if (storage_recording_within(s, req->id, real, w->path)) return;
    if (!strcmp(real, s->read_path)) storage_close_read(s); /* its hash of what was read is no longer the file's */
    uint64_t size = 0;
    enum files_status_e st = files_write(real, w->offset, w->data.bytes, w->data.size, &size);
    if (st == FILES_NOT_AT_END)
        reply_error(s->link, req->id, MSG_ERR_BAD_REQUEST, "offset %llu is not the end of %s (%llu bytes)",
                    (unsigned long long)w->offset, w->path, (unsigned long long)size);
    else if (st != FILES_OK)
        storage_fail(s, req->id, st, w->path);
    else
        reply_ok(s->link, req->id);
}

static void storage_rename(struct storage_s *s, const struct msg_s *req) {
    const struct msg_file_rename_s *r = &req->u.file_rename;
    char from[FILES_PATH_MAX], to[FILES_PATH_MAX];
    if (!storage_resolve(s, req->id, r->path, from, sizeof(from))) return;
    enum files_status_e st = files_resolve(&s->files, r->to, true, to, sizeof(to));
    if (st == FILES_EXISTS && r->replace) st = files_resolve(&s->files, r->to, false, to, sizeof(to));
    if (st == FILES_NOT_FOUND) {
        reply_error(s->link, req->id, MSG_ERR_NOT_FOUND, "no folder to hold %s", r->to);
        return;
    }
    if (st != FILES_OK) {
        storage_fail(s, req->id, st, r->to);
        return;
    }
    if (!strcmp(from, s->files.root)) {
        reply_error(s->link, req->id, MSG_ERR_BAD_REQUEST, FILES_VIRTUAL_ROOT " itself cannot be renamed");
        return;
    }
    if (strcmp(from, to) && files_within(to, from)) {
        reply_error(s->link, req->id, MSG_ERR_BAD_REQUEST, "%s cannot move into itself (%s)", r->path, r->to);
        return;
    }
    if (storage_recording_within(s, req->id, from, r->path) || storage_recording_within(s, req->id, to, r->to)) return;
    if (s->read_fd >= 0 && (files_within(s->read_path, from) || !strcmp(s->read_path, to))) storage_close_read(s);
    st = files_rename(from, to, r->replace);
    if (st == FILES_EXISTS)
        reply_error(s->link, req->id, MSG_ERR_EXISTS,
                    r->replace ? "%s already exists, and only a file replaces a file" : "%s already exists", r->to);
    else if (st != FILES_OK)
        storage_fail(s, req->id, st, r->path);
    else
        reply_ok(s->link, req->id);
}

static void storage_mkdir(struct storage_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!storage_present(s, req->id)) return;
    enum files_status_e st = files_resolve(&s->files, req->u.file.path, true, real, sizeof(real));
    if (st == FILES_OK) st = files_mkdir(real);
    if (st == FILES_NOT_FOUND) reply_error(s->link, req->id, MSG_ERR_NOT_FOUND, "no folder to hold %s", req->u.file.path);
    else if (st != FILES_OK) storage_fail(s, req->id, st, req->u.file.path);
    else reply_ok(s->link, req->id);
}

static void storage_space(struct storage_s *s, const struct msg_s *req) {
    if (!storage_present(s, req->id)) return;
    struct msg_s m = {.type = MSG_STORAGE_INFO_REPLY, .id = req->id};
    enum files_status_e st = files_space(&s->files, &m.u.storage_info_reply.total, &m.u.storage_info_reply.available);
    if (st != FILES_OK) storage_fail(s, req->id, st, FILES_VIRTUAL_ROOT);
    else reply_send(s->link, &m);
}

/* The board recording's state, as a reply (id) or an event (id 0). */
static void storage_report(struct storage_s *s, uint32_t id) {
    struct record_status_s rs = record_status(&s->record);
    struct msg_s m = {.type = MSG_BOARD_RECORDING, .id = id};
    m.u.board_recording.active = rs.active;
    snprintf(m.u.board_recording.path, sizeof(m.u.board_recording.path), "%.*s", MSG_PATH_MAX, rs.path);
    m.u.board_recording.elapsed_us = rs.elapsed_us;
    m.u.board_recording.bytes = rs.bytes;
    m.u.board_recording.frames = rs.frames;
    m.u.board_recording.dropped = rs.dropped;
    if (rs.error != FILES_OK) {
        m.u.board_recording.error = storage_code(rs.error);
        snprintf(m.u.board_recording.message, sizeof(m.u.board_recording.message), "%s",
                 rs.error == FILES_NO_SPACE ? "the card is full: recording stopped, the file is complete up to here"
                                            : "write error: recording stopped, the file is complete up to here");
    }
    reply_send(s->link, &m);
}

static void storage_record_start(struct storage_s *s, const struct msg_s *req) {
    if (!storage_present(s, req->id)) return;
    struct camera_settings_s settings = settings_from_msg(&req->u.board_record_start.settings);
    char err[300];
    enum files_status_e st = record_start(&s->record, req->u.board_record_start.path, &settings, err, sizeof(err));
    if (st != FILES_OK) {
        reply_error(s->link, req->id, st == FILES_IO ? MSG_ERR_UNSUPPORTED_SETTING : storage_code(st), "%s", err);
        return;
    }
    storage_report(s, req->id);
}

bool storage_dispatch(struct storage_s *s, const struct msg_s *req) {
    switch (req->type) {
    case MSG_FILE_LIST: storage_list(s, req); return true;
    case MSG_FILE_STAT: storage_stat(s, req); return true;
    case MSG_FILE_READ: storage_read(s, req); return true;
    case MSG_FILE_CHECKSUM: storage_checksum(s, req); return true;
    case MSG_FILE_DELETE: storage_delete(s, req); return true;
    case MSG_FILE_WRITE: storage_write(s, req); return true;
    case MSG_FILE_RENAME: storage_rename(s, req); return true;
    case MSG_FILE_MKDIR: storage_mkdir(s, req); return true;
    case MSG_STORAGE_INFO: storage_space(s, req); return true;
    case MSG_BOARD_RECORD_START: storage_record_start(s, req); return true;
    case MSG_BOARD_RECORD_STOP:
        record_stop(&s->record);
        storage_report(s, req->id);
        return true;
    case MSG_BOARD_RECORD_STATUS: storage_report(s, req->id); return true;
    default: return false;
    }
}

void storage_tick(struct storage_s *s, bool greeted) {
    if (record_poll(&s->record)) {
        storage_report(s, 0); /* it stopped by itself: say why */
        return;
    }
    int64_t now = clock_now_us();
    if (now - s->last_status_us < 1000000) return;
    s->last_status_us = now;
    if (greeted && record_status(&s->record).active) storage_report(s, 0);
}
