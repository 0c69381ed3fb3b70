#define _XOPEN_SOURCE 700 /* fdatasync, ftruncate */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fdio.h"

/* Writes every part, or fails: a short write leaves the file as it was before this fragment. */
static int record_write(struct record_s *r, const struct iovec *parts, int count) {
    struct iovec iov[STREAM_MAX_PARTS + 1];
    memcpy(iov, parts, sizeof(*parts) * (size_t)count);
    struct iovec *at = iov;
    while (count > 0) {
        ssize_t n = fdio_writev(r->fd, at, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : ENOSPC;
            if (ftruncate(r->fd, r->good_size) == 0) lseek(r->fd, r->good_size, SEEK_SET);
            errno = err;
            return -1;
        }
        fdio_advance(&at, &count, (size_t)n);
    }
    return 0;
}

static int record_fail(struct record_s *r, int err) {
    pthread_mutex_lock(&r->lock);
    if (!r->failed) r->status.error = files_status_from_errno(err);
    r->failed = true;
    pthread_mutex_unlock(&r->lock);
    return -1;
}

static int record_commit(struct record_s *r, size_t size, const struct stream_fragment_s *f) {
    r->good_size += (off_t)size;
    int64_t now = clock_now_us();
    if (now - r->last_sync_us >= RECORD_SYNC_INTERVAL_US) {
        if (fdatasync(r->fd) < 0) return record_fail(r, errno);
        r->last_sync_us = now;
    }
    pthread_mutex_lock(&r->lock);
    r->status.bytes = (uint64_t)r->good_size;
    if (f && !f->audio) {
        if (!r->status.frames) r->first_pts_us = f->pts_us;
        r->last_pts_us = f->pts_us;
        r->status.frames++;
        r->status.dropped = f->dropped;
    }
    pthread_mutex_unlock(&r->lock);
    return 0;
}

static int record_sink_init(void *ctx, const struct fmp4_track_s *track, const uint8_t *init, size_t size) {
    struct record_s *r = ctx;
    (void)track;
    if (r->good_size > 0) return 0; /* one init per file; new parameter sets of the same settings are in band */
    struct iovec part = {(void *)init, size};
    if (record_write(r, &part, 1) < 0) return record_fail(r, errno);
    return record_commit(r, size, NULL);
}

static int record_sink_fragment(void *ctx, const struct stream_fragment_s *f) {
    struct record_s *r = ctx;
    if (r->failed) return -1;
    if (record_write(r, f->parts, f->part_count) < 0) return record_fail(r, errno);
    return record_commit(r, f->size, f);
}

void record_init(struct record_s *r, const struct camera_backend_s *backend, const struct files_s *files) {
    memset(r, 0, sizeof(*r));
    r->files = files;
    r->fd = -1;
    pthread_mutex_init(&r->lock, NULL);
    /* A deeper queue than the live view's: a slow card may stall a moment; latency does not matter here. */
    stream_init(&r->stream, backend, (struct stream_sink_s){r, record_sink_init, record_sink_fragment}, STREAM_MAX_QUEUE);
}

void record_destroy(struct record_s *r) {
    record_stop(r);
    stream_destroy(&r->stream);
    pthread_mutex_destroy(&r->lock);
}

static void record_default_path(char *out, size_t cap) {
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    snprintf(out, cap, "%s/rec-%04d%02d%02d-%02d%02d%02d.mp4", FILES_VIRTUAL_ROOT, tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

enum files_status_e record_start(struct record_s *r, const char *board_path, const struct camera_settings_s *settings,
                                 char *err, size_t err_len) {
    if (r->fd >= 0) {
        snprintf(err, err_len, "a board recording is already running (%s)", r->status.path);
        return FILES_EXISTS;
    }
    char path[FILES_PATH_MAX], real[FILES_PATH_MAX];
    if (board_path && *board_path)
        snprintf(path, sizeof(path), "%s", board_path);
    else
        record_default_path(path, sizeof(path));
    size_t len = strlen(path);
    if (len < 4 || strcmp(path + len - 4, ".mp4")) {
        snprintf(err, err_len, "a board recording is an .mp4 file (got %s)", path);
        return FILES_NOT_A_FILE;
    }
    enum files_status_e st = files_resolve(r->files, path, true, real, sizeof(real));
    if (st != FILES_OK) {
        snprintf(err, err_len, "%s: %s", path,
                 st == FILES_EXISTS ? "already exists" : st == FILES_OUTSIDE_ROOT ? "outside /sdcard" : "folder not found");
        return st;
    }
    int fd = open(real, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        snprintf(err, err_len, "cannot create %s: %s", path, strerror(errno));
        return files_status_from_errno(errno);
    }
    pthread_mutex_lock(&r->lock);
    r->fd = fd;
    r->good_size = 0;
    r->failed = false;
    memset(&r->status, 0, sizeof(r->status));
    r->status.active = true;
    snprintf(r->status.path, sizeof(r->status.path), "%s", path);
    r->last_sync_us = clock_now_us();
    pthread_mutex_unlock(&r->lock);
    if (stream_start(&r->stream, settings, err, err_len) < 0) {
        close(fd);
        unlink(real);
        pthread_mutex_lock(&r->lock);
        r->fd = -1;
        r->status.active = false;
        pthread_mutex_unlock(&r->lock);
        return FILES_IO;
    }
    return FILES_OK;
}

void record_stop(struct record_s *r) {
    if (r->fd < 0) return;
    stream_stop(&r->stream);
    fdatasync(r->fd);
    close(r->fd);
    pthread_mutex_lock(&r->lock);
    r->fd = -1;
    r->status.active = false;
    pthread_mutex_unlock(&r->lock);
}

bool record_poll(struct record_s *r) {
    pthread_mutex_lock(&r->lock);
    bool failed = r->failed && r->fd >= 0;
    pthread_mutex_unlock(&r->lock);
    if (failed) record_stop(r);
    return failed;
}

struct record_status_s record_status(struct record_s *r) {
    pthread_mutex_lock(&r->lock);
    struct record_status_s s = r->status;
    if (s.frames) s.elapsed_us = (uint64_t)(r->last_pts_us - r->first_pts_us);
    pthread_mutex_unlock(&r->lock);
    return s;
}
