#define _XOPEN_SOURCE 700 /* pread */
#include "session_files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

#define SESSION_LIST_MAX (512u * 1024u)

static uint16_t session_files_code(enum files_status_e st) {
    switch (st) {
    case FILES_NOT_FOUND: return MSG_ERR_NOT_FOUND;
    case FILES_OUTSIDE_ROOT: return MSG_ERR_OUTSIDE_ROOT;
    case FILES_NO_SPACE: return MSG_ERR_NO_SPACE;
    case FILES_NOT_A_FILE: return MSG_ERR_NOT_A_FILE;
    case FILES_EXISTS: return MSG_ERR_EXISTS;
    default: return MSG_ERR_IO;
    }
}

static const char *session_files_format(enum files_status_e st) {
    switch (st) {
    case FILES_NOT_FOUND: return "no such file or folder: %s";
    case FILES_OUTSIDE_ROOT: return "%s is outside " FILES_VIRTUAL_ROOT;
    case FILES_NO_SPACE: return "the card is full (%s)";
    case FILES_NOT_A_FILE: return "%s is not a file";
    case FILES_EXISTS: return "%s already exists";
    default: return "I/O error on %s";
    }
}

static void session_files_fail(struct session_s *s, uint32_t id, enum files_status_e st, const char *path) {
    session_error(s, id, session_files_code(st), session_files_format(st), path);
}

/* Resolves a request's path, answering the error itself; false when it did. */
static bool session_files_resolve(struct session_s *s, uint32_t id, const char *path, char *real, size_t cap) {
    if (!s->have_storage) {
        session_error(s, id, MSG_ERR_NO_STORAGE, "this board has no storage%s", "");
        return false;
    }
    enum files_status_e st = files_resolve(&s->files, path, false, real, cap);
    if (st != FILES_OK) session_files_fail(s, id, st, path);
    return st == FILES_OK;
}

void session_files_close(struct session_s *s) {
    if (s->read_fd >= 0) close(s->read_fd);
    s->read_fd = -1;
    s->read_path[0] = '\0';
}

struct session_list_s {
    struct bytes_writer_s w;
    uint16_t count;
    bool truncated;
};

static int session_files_add_entry(void *ctx, const struct files_entry_s *e) {
    struct session_list_s *l = ctx;
    if (l->count == UINT16_MAX || msg_put_list_entry(&l->w, e->type, e->size, e->mtime_ms, e->name) < 0) {
        l->truncated = true;
        return 1;
    }
    l->count++;
    return 0;
}

static void session_files_list(struct session_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!session_files_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    static uint8_t entries[SESSION_LIST_MAX];
    struct session_list_s list = {.count = 0};
    bytes_writer_init(&list.w, entries, sizeof(entries));
    enum files_status_e st = files_list(real, session_files_add_entry, &list);
    if (st != FILES_OK) {
        session_files_fail(s, req->id, st == FILES_NOT_FOUND ? FILES_NOT_FOUND : st, req->u.file.path);
        return;
    }
    uint8_t head[3] = {list.truncated, (uint8_t)list.count, (uint8_t)(list.count >> 8)};
    struct iovec parts[2] = {{head, sizeof(head)}, {entries, list.w.len}};
    link_send(s->link, MSG_FILE_LIST_REPLY, req->id, parts, 2);
}

static void session_files_stat(struct session_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!session_files_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    struct files_entry_s e;
    enum files_status_e st = files_stat(real, &e);
    if (st != FILES_OK) {
        session_files_fail(s, req->id, st, req->u.file.path);
        return;
    }
    struct msg_s m = {.type = MSG_FILE_STAT_REPLY, .id = req->id};
    m.u.file_stat_reply.type = e.type;
    m.u.file_stat_reply.size = e.size;
    m.u.file_stat_reply.mtime_ms = e.mtime_ms;
    session_reply(s, &m);
}

static void session_files_read(struct session_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!session_files_resolve(s, req->id, req->u.file_read.path, real, sizeof(real))) return;
    if (s->read_fd < 0 || strcmp(real, s->read_path)) {
        session_files_close(s);
        enum files_status_e st;
        s->read_fd = files_open_read(real, &st);
        if (s->read_fd < 0) {
            session_files_fail(s, req->id, st, req->u.file_read.path);
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
        session_files_fail(s, req->id, errno == EISDIR ? FILES_NOT_A_FILE : FILES_IO, req->u.file_read.path);
        session_files_close(s);
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

static void session_files_checksum(struct session_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX];
    if (!session_files_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    struct msg_s m = {.type = MSG_FILE_CHECKSUM_REPLY, .id = req->id};
    struct files_entry_s e;
    if (s->read_fd >= 0 && !strcmp(real, s->read_path) && files_stat(real, &e) == FILES_OK && e.size == s->read_hashed) {
        /* The whole file went out in order since it was opened: its hash is already made. */
        struct sha256_s done = s->read_hash;
        sha256_final(&done, m.u.file_checksum_reply.sha256);
        m.u.file_checksum_reply.size = e.size;
        session_reply(s, &m);
        return;
    }
    enum files_status_e st = files_checksum(real, m.u.file_checksum_reply.sha256, &m.u.file_checksum_reply.size);
    if (st != FILES_OK) session_files_fail(s, req->id, st, req->u.file.path);
    else session_reply(s, &m);
}

static void session_files_delete(struct session_s *s, const struct msg_s *req) {
    char real[FILES_PATH_MAX], recording[FILES_PATH_MAX];
    if (!session_files_resolve(s, req->id, req->u.file.path, real, sizeof(real))) return;
    struct record_status_s rs = record_status(&s->record);
    if (rs.active && files_resolve(&s->files, rs.path, false, recording, sizeof(recording)) == FILES_OK &&
        !strcmp(recording, real)) {
        session_error(s, req->id, MSG_ERR_EXISTS, "%s is being recorded: stop the recording first", req->u.file.path);
        return;
    }
    if (!strcmp(real, s->read_path)) session_files_close(s);
    enum files_status_e st = files_delete(real);
    if (st != FILES_OK) session_files_fail(s, req->id, st, req->u.file.path);
    else session_ok(s, req->id);
}

static void session_files_space(struct session_s *s, const struct msg_s *req) {
    if (!s->have_storage) {
        session_error(s, req->id, MSG_ERR_NO_STORAGE, "this board has no storage%s", "");
        return;
    }
    struct msg_s m = {.type = MSG_STORAGE_INFO_REPLY, .id = req->id};
    enum files_status_e st = files_space(&s->files, &m.u.storage_info_reply.total, &m.u.storage_info_reply.available);
    if (st != FILES_OK) session_files_fail(s, req->id, st, FILES_VIRTUAL_ROOT);
    else session_reply(s, &m);
}

/* The board recording's state, as a reply (id) or an event (id 0). */
static void session_files_report(struct session_s *s, uint32_t id) {
    struct record_status_s rs = record_status(&s->record);
    struct msg_s m = {.type = MSG_BOARD_RECORDING, .id = id};
    m.u.board_recording.active = rs.active;
    snprintf(m.u.board_recording.path, sizeof(m.u.board_recording.path), "%.*s", MSG_PATH_MAX, rs.path);
    m.u.board_recording.elapsed_us = rs.elapsed_us;
    m.u.board_recording.bytes = rs.bytes;
    m.u.board_recording.frames = rs.frames;
    m.u.board_recording.dropped = rs.dropped;
    if (rs.error != FILES_OK) {
        m.u.board_recording.error = session_files_code(rs.error);
        snprintf(m.u.board_recording.message, sizeof(m.u.board_recording.message), "%s",
                 rs.error == FILES_NO_SPACE ? "the card is full: recording stopped, the file is complete up to here"
                                            : "write error: recording stopped, the file is complete up to here");
    }
    session_reply(s, &m);
}

static void session_files_record_start(struct session_s *s, const struct msg_s *req) {
    if (!s->have_storage) {
        session_error(s, req->id, MSG_ERR_NO_STORAGE, "this board has no storage%s", "");
        return;
    }
    struct camera_settings_s settings = session_camera_settings(&req->u.board_record_start.settings);
    char err[300];
    enum files_status_e st = record_start(&s->record, req->u.board_record_start.path, &settings, err, sizeof(err));
    if (st != FILES_OK) {
        session_error(s, req->id, st == FILES_IO ? MSG_ERR_UNSUPPORTED_SETTING : session_files_code(st), "%s", err);
        return;
    }
    session_files_report(s, req->id);
}

bool session_files_dispatch(struct session_s *s, const struct msg_s *req) {
    switch (req->type) {
    case MSG_FILE_LIST: session_files_list(s, req); return true;
    case MSG_FILE_STAT: session_files_stat(s, req); return true;
    case MSG_FILE_READ: session_files_read(s, req); return true;
    case MSG_FILE_CHECKSUM: session_files_checksum(s, req); return true;
    case MSG_FILE_DELETE: session_files_delete(s, req); return true;
    case MSG_STORAGE_INFO: session_files_space(s, req); return true;
    case MSG_BOARD_RECORD_START: session_files_record_start(s, req); return true;
    case MSG_BOARD_RECORD_STOP:
        record_stop(&s->record);
        session_files_report(s, req->id);
        return true;
    case MSG_BOARD_RECORD_STATUS: session_files_report(s, req->id); return true;
    default: return false;
    }
}

void session_files_tick(struct session_s *s) {
    if (record_poll(&s->record)) {
        session_files_report(s, 0); /* it stopped by itself: say why */
        return;
    }
    int64_t now = clock_now_us();
    if (now - s->last_status_us < 1000000) return;
    s->last_status_us = now;
    if (s->greeted && record_status(&s->record).active) session_files_report(s, 0);
}
