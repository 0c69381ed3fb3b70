#define _XOPEN_SOURCE 700 /* realpath, lstat, statvfs, pread, pwrite, fsync, O_NOFOLLOW */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sha256.h"

enum files_status_e files_status_from_errno(int err) {
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return FILES_NOT_FOUND;
    case ENOSPC:
    case EDQUOT:
        return FILES_NO_SPACE;
    case EEXIST:
        return FILES_EXISTS;
    case EISDIR:
        return FILES_NOT_A_FILE;
    default:
        return FILES_IO;
    }
}

int files_init(struct files_s *f, const char *root_dir) {
    char resolved[PATH_MAX];
    if (!realpath(root_dir, resolved)) return -1;
    f->root_len = strlen(resolved);
    if (f->root_len >= sizeof(f->root)) return -1;
    memcpy(f->root, resolved, f->root_len + 1);
    return 0;
}

bool files_within(const char *path, const char *folder) {
    size_t n = strlen(folder);
    return !strncmp(path, folder, n) && (path[n] == '\0' || path[n] == '/');
}

static bool files_inside(const struct files_s *f, const char *real) { return files_within(real, f->root); }

/* A path that does not resolve (err): if the part of it that does resolves outside the root, that is
 * OUTSIDE_ROOT, so a missing name behind a link out says nothing of what lies there. */
static enum files_status_e files_unresolved(const struct files_s *f, const char *joined, int err) {
    char prefix[PATH_MAX], resolved[PATH_MAX];
    snprintf(prefix, sizeof(prefix), "%s", joined);
    for (char *slash; (slash = strrchr(prefix, '/')) && (size_t)(slash - prefix) >= f->root_len;) {
        *slash = '\0';
        if (realpath(prefix, resolved)) return files_inside(f, resolved) ? files_status_from_errno(err) : FILES_OUTSIDE_ROOT;
    }
    return files_status_from_errno(err);
}

enum files_status_e files_resolve(const struct files_s *f, const char *board_path, bool for_create, char *real,
                                  size_t cap) {
    const char *rest = board_path;
    size_t vlen = strlen(FILES_VIRTUAL_ROOT);
    if (rest[0] == '/') {
        if (strncmp(rest, FILES_VIRTUAL_ROOT, vlen) || (rest[vlen] != '\0' && rest[vlen] != '/')) return FILES_OUTSIDE_ROOT;
        rest += vlen;
    }
    char joined[PATH_MAX];
    size_t len = (size_t)snprintf(joined, sizeof(joined), "%s", f->root);
    const char *last = NULL;
    for (const char *p = rest; *p;) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') return FILES_OUTSIDE_ROOT;
        if (!(n == 1 && p[0] == '.')) {
            if (len + 1 + n >= sizeof(joined)) return FILES_NOT_FOUND;
            joined[len++] = '/';
            memcpy(joined + len, p, n);
            len += n;
            joined[len] = '\0';
            last = joined + len - n;
        }
        p += n;
    }
    char resolved[PATH_MAX];
    if (realpath(joined, resolved)) {
        if (!files_inside(f, resolved)) return FILES_OUTSIDE_ROOT;
        if (for_create) return FILES_EXISTS;
    } else {
        if (errno != ENOENT || !for_create || !last) return files_unresolved(f, joined, errno);
        /* A new file: its folder must resolve inside the root, and its name must not be a dangling link. */
        struct stat st;
        if (lstat(joined, &st) == 0) return FILES_OUTSIDE_ROOT;
        char parent[PATH_MAX];
        snprintf(parent, sizeof(parent), "%.*s", (int)(last - joined - 1), joined);
        if (!realpath(parent, resolved)) return files_unresolved(f, parent, errno);
        if (!files_inside(f, resolved)) return FILES_OUTSIDE_ROOT;
        size_t rl = strlen(resolved);
        if (rl + 1 + strlen(last) >= sizeof(resolved)) return FILES_NOT_FOUND;
        resolved[rl] = '/';
        strcpy(resolved + rl + 1, last);
    }
    if (strlen(resolved) >= cap) return FILES_NOT_FOUND;
    strcpy(real, resolved);
    return FILES_OK;
}

static void files_fill(const struct stat *st, struct files_entry_s *out) {
    out->type = S_ISREG(st->st_mode) ? FILES_TYPE_FILE : S_ISDIR(st->st_mode) ? FILES_TYPE_DIR : FILES_TYPE_OTHER;
    out->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
    out->mtime_ms = (uint64_t)st->st_mtim.tv_sec * 1000u + (uint64_t)st->st_mtim.tv_nsec / 1000000u;
}

enum files_status_e files_stat(const char *real, struct files_entry_s *out) {
    struct stat st;
    if (stat(real, &st) < 0) return files_status_from_errno(errno);
    memset(out, 0, sizeof(*out));
    files_fill(&st, out);
    const char *slash = strrchr(real, '/');
    snprintf(out->name, sizeof(out->name), "%s", slash ? slash + 1 : real);
    return FILES_OK;
}

enum files_status_e files_list(const char *real, int (*on_entry)(void *ctx, const struct files_entry_s *e), void *ctx) {
    DIR *dir = opendir(real);
    if (!dir) return files_status_from_errno(errno);
    struct dirent *d;
    while ((d = readdir(dir))) {
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
        char path[PATH_MAX];
        struct stat st;
        struct files_entry_s e = {0};
        snprintf(path, sizeof(path), "%s/%s", real, d->d_name);
        /* lstat: a link is shown as what it is, never followed out of the root */
        if (lstat(path, &st) < 0) continue;
        files_fill(&st, &e);
        snprintf(e.name, sizeof(e.name), "%s", d->d_name);
        if (on_entry(ctx, &e)) break;
    }
    closedir(dir);
    return FILES_OK;
}

int files_open_read(const char *real, enum files_status_e *st) {
    int fd = open(real, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        *st = files_status_from_errno(errno);
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        *st = FILES_NOT_A_FILE;
        return -1;
    }
    *st = FILES_OK;
    return fd;
}

enum files_status_e files_checksum(const char *real, uint8_t sha256[32], uint64_t *size) {
    enum files_status_e status;
    int fd = files_open_read(real, &status);
    if (fd < 0) return status;
    struct sha256_s h;
    sha256_init(&h);
    static uint8_t buf[256 * 1024]; /* the session thread only */
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            close(fd);
            return FILES_IO;
        }
        if (n == 0) break;
        sha256_update(&h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    sha256_final(&h, sha256);
    *size = total;
    return FILES_OK;
}

enum files_status_e files_delete(const char *real) {
    struct stat st;
    if (lstat(real, &st) < 0) return files_status_from_errno(errno);
    if (!S_ISREG(st.st_mode)) return FILES_NOT_A_FILE;
    return unlink(real) < 0 ? files_status_from_errno(errno) : FILES_OK;
}

enum files_status_e files_space(const struct files_s *f, uint64_t *total, uint64_t *available) {
    struct statvfs s;
    if (statvfs(f->root, &s) < 0) return files_status_from_errno(errno);
    *total = (uint64_t)s.f_blocks * s.f_frsize;
    *available = (uint64_t)s.f_bavail * s.f_frsize;
    return FILES_OK;
}

enum files_status_e files_write_at(int fd, uint64_t offset, const uint8_t *data, size_t n) {
    for (size_t done = 0; done < n;) {
        ssize_t w = pwrite(fd, data + done, n - done, (off_t)(offset + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int err = w < 0 ? errno : ENOSPC; /* a write that takes nothing: the card is full */
            if (ftruncate(fd, (off_t)offset) < 0)
                fprintf(stderr, "agent: a failed write could not be cut back to %llu bytes: %s\n",
                        (unsigned long long)offset, strerror(errno));
            return files_status_from_errno(err);
        }
        done += (size_t)w;
    }
    return FILES_OK;
}

enum files_status_e files_write(const char *real, uint64_t offset, const uint8_t *data, size_t n, uint64_t *size) {
    /* O_NONBLOCK: a FIFO is refused at once instead of waiting for a reader; O_NOFOLLOW: real is resolved,
     * a link that appeared at its end since is not followed */
    int flags = O_WRONLY | O_NONBLOCK | O_NOFOLLOW | (offset == 0 ? O_CREAT : 0);
    int fd = open(real, flags, 0644);
    if (fd < 0) return errno == ENXIO || errno == ELOOP ? FILES_NOT_A_FILE : files_status_from_errno(errno);
    enum files_status_e st = FILES_OK;
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        st = files_status_from_errno(errno);
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = FILES_NOT_A_FILE;
        goto done;
    }
    *size = (uint64_t)sb.st_size;
    if (offset == 0 && sb.st_size > 0 && ftruncate(fd, 0) < 0) {
        st = files_status_from_errno(errno);
        goto done;
    }
    if (offset != 0 && offset != *size) {
        st = FILES_NOT_AT_END;
        goto done;
    }
    st = files_write_at(fd, offset, data, n);
    if (st == FILES_OK) *size = offset + n;
done:
    if (close(fd) < 0 && st == FILES_OK) st = files_status_from_errno(errno);
    return st;
}

/* fsync of what path names; -1 with errno when it fails. */
static int files_sync(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

enum files_status_e files_rename(const char *from, const char *to, bool replace) {
    struct stat src, dst;
    if (lstat(from, &src) < 0) return files_status_from_errno(errno);
    if (lstat(to, &dst) == 0) {
        if (!replace || !S_ISREG(dst.st_mode) || !S_ISREG(src.st_mode)) return FILES_EXISTS;
    } else if (errno != ENOENT) {
        return files_status_from_errno(errno);
    }
    /* An upload's part file becomes the file here: its bytes reach the card before its new name does. */
    if (S_ISREG(src.st_mode) && files_sync(from) < 0) return files_status_from_errno(errno);
    if (rename(from, to) < 0) return files_status_from_errno(errno);
    char folder[PATH_MAX];
    snprintf(folder, sizeof(folder), "%s", to);
    char *slash = strrchr(folder, '/');
    if (slash) *(slash == folder ? slash + 1 : slash) = '\0';
    /* then the new name; a file system that cannot sync a folder says EINVAL, and the rename stands */
    if (files_sync(folder) < 0 && errno != EINVAL)
        fprintf(stderr, "agent: renamed %s, but syncing its folder failed: %s\n", to, strerror(errno));
    return FILES_OK;
}

enum files_status_e files_mkdir(const char *real) {
    return mkdir(real, 0755) < 0 ? files_status_from_errno(errno) : FILES_OK;
}
