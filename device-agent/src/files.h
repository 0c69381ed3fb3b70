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
    FILES_NOT_AT_END, /* a write's offset is neither 0 nor the file's size */
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
/* Writes n bytes at offset of a regular file: offset 0 creates the file or empties it, any other
 * offset must be its size (an append), else FILES_NOT_AT_END with the size in *size. A write that
 * fails (a full card: FILES_NO_SPACE) is cut back to offset, so what earlier writes made stays. Not
 * synced: files_rename syncs what it renames. */
enum files_status_e files_write(const char *real, uint64_t offset, const uint8_t *data, size_t n, uint64_t *size);
/* The writing half of files_write, on an open fd: all n bytes at offset, or the file cut back to offset. */
enum files_status_e files_write_at(int fd, uint64_t offset, const uint8_t *data, size_t n);
/* Renames a file or a folder. An existing `to` is FILES_EXISTS unless replace is set and both are
 * files. A file's bytes are synced before it takes the new name, and its folder after. */
enum files_status_e files_rename(const char *from, const char *to, bool replace);
/* Makes one folder; its parent must exist. */
enum files_status_e files_mkdir(const char *real);
/* path is folder or lies below it (both real paths). */
bool files_within(const char *path, const char *folder);
enum files_status_e files_space(const struct files_s *f, uint64_t *total, uint64_t *available);
/* errno of a failed call -> status */
enum files_status_e files_status_from_errno(int err);

#endif
