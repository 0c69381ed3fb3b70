/* The storage root the agent serves (/sdcard on the board): board paths in, confined real paths out. */
#ifndef K230_FILES_H
#define K230_FILES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILES_VIRTUAL_ROOT "/sdcard"
#define FILES_PATH_MAX 4096

enum files_status_e {
    FILES_OK = 0,
    FILES_NOT_FOUND,
    FILES_OUTSIDE_ROOT,
    FILES_IO,
    FILES_NO_SPACE,
    FILES_NOT_A_FILE,
    FILES_EXISTS,
};

enum files_type_e { FILES_TYPE_FILE = 1, FILES_TYPE_DIR = 2, FILES_TYPE_OTHER = 3 };

struct files_s {
    char root[FILES_PATH_MAX]; /* the root with every symlink resolved */
    size_t root_len;
};

struct files_entry_s {
    uint8_t type;
    uint64_t size;
    uint64_t mtime_ms;
    char name[256];
};

/* 0, or -1 when the folder does not exist. */
int files_init(struct files_s *f, const char *root_dir);
/* Maps a board path ("/sdcard/a.mp4", or "a.mp4" relative to it) to a real path inside the root.
 * ".." is refused, and so is anything a symlink takes outside. With for_create the last part
 * may be missing (its folder must exist). */
enum files_status_e files_resolve(const struct files_s *f, const char *board_path, bool for_create, char *real,
                                  size_t cap);
enum files_status_e files_stat(const char *real, struct files_entry_s *out);
/* Calls on_entry for each entry of a folder; stops early when it returns non-zero. */
enum files_status_e files_list(const char *real, int (*on_entry)(void *ctx, const struct files_entry_s *e), void *ctx);
/* Opens a regular file to read; anything else (a folder, a FIFO, a device) is FILES_NOT_A_FILE, and
 * the open never blocks (a FIFO with no writer would hang the agent). The fd, or -1 and *st. */
int files_open_read(const char *real, enum files_status_e *st);
enum files_status_e files_checksum(const char *real, uint8_t sha256[32], uint64_t *size);
enum files_status_e files_delete(const char *real);
enum files_status_e files_space(const struct files_s *f, uint64_t *total, uint64_t *available);
/* errno of a failed call -> status */
enum files_status_e files_status_from_errno(int err);

#endif
