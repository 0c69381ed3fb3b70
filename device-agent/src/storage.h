/* The board's storage, as the host reaches it: the file service (list, stat, read, checksum,
 * delete, write, rename, mkdir, space) and recording on the board. It owns its state and answers its requests itself;
 * the session only hands them over. */
#ifndef K230_STORAGE_H
#define K230_STORAGE_H
#include <stdbool.h>
#include <stdint.h>

#include "camera.h"
#include "data_sender.h"
#include "files.h"
#include "link.h"
#include "msg.h"
#include "record.h"
#include "sha256.h"

struct storage_s {
    struct link_s *link;
    bool present; /* the agent serves a storage root */
    struct files_s files;
    struct record_s record;
    struct data_sender_s data_sender;
    int64_t last_status_us;
    /* the file FILE_READ read last, kept open: a pull reads one file chunk after chunk */
    int read_fd;
    char read_path[FILES_PATH_MAX];
    /* SHA-256 of what was read of it in order from byte 0: a pull's checksum then costs nothing */
    struct sha256_s read_hash;
    uint64_t read_hashed; /* bytes in read_hash; UINT64_MAX once the reads left the sequence */
};

/* root NULL: a board without storage, whose storage requests get NO_STORAGE. 0, or -1 with what
 * failed said on stderr (nothing is left to destroy then). */
int storage_init(struct storage_s *s, const char *root, const struct camera_backend_s *backend, struct link_s *link);
void storage_destroy(struct storage_s *s);
/* Answers the request if it is a storage one; false when it is not. */
bool storage_dispatch(struct storage_s *s, const struct msg_s *req);
/* Called from the serve loop: reports the board recording each second to a greeted host, and
 * whenever it stops by itself. */
void storage_tick(struct storage_s *s, bool greeted);

#endif
