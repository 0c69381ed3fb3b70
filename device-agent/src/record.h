/* Recording on the board: its own encoder channel into a fragmented MP4 under the storage root,
 * synced at least every second, so a power cut loses at most the last second. */
#ifndef K230_RECORD_H
#define K230_RECORD_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "files.h"
#include "stream.h"

#define RECORD_SYNC_INTERVAL_US 1000000

struct record_status_s {
    bool active;
    char path[FILES_PATH_MAX]; /* board path, e.g. /sdcard/rec-20261121-101500.mp4 */
    uint64_t elapsed_us;
    uint64_t bytes;
    uint32_t frames;
    uint32_t dropped;
    enum files_status_e error; /* why it stopped by itself; FILES_OK otherwise */
};

struct record_s {
    const struct files_s *files;
    struct stream_s stream;
    pthread_mutex_t lock;
    int fd;
    struct record_status_s status;
    int64_t first_pts_us, last_pts_us, last_sync_us;
    off_t good_size; /* the file up to the last fragment written whole */
    bool failed;     /* the sink gave up (card full, I/O error): record_poll stops it */
};

void record_init(struct record_s *r, const struct camera_backend_s *backend, const struct files_s *files);
void record_destroy(struct record_s *r);
/* board_path NULL or empty: /sdcard/rec-<local time>.mp4. Returns FILES_OK or why not (err filled). */
enum files_status_e record_start(struct record_s *r, const char *board_path, const struct camera_settings_s *settings,
                                 char *err, size_t err_len);
void record_stop(struct record_s *r);
/* Stops a recording whose sink failed; true when it did (the status then carries the error). */
bool record_poll(struct record_s *r);
struct record_status_s record_status(struct record_s *r);

#endif
