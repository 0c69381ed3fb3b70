/* Sends FILE_DATA replies from a thread of its own, so the next chunk is read and hashed while the
 * previous one is on the wire: a pull then runs at the link's speed, not at the link's speed minus
 * the agent's work. Two buffers: one being filled, one being sent. */
#ifndef K230_DATA_SENDER_H
#define K230_DATA_SENDER_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "link.h"
#include "msg.h"

#define DATA_SENDER_SLOTS 4

struct data_slot_s {
    uint8_t head[16]; /* FILE_DATA's fields before its bytes */
    uint8_t data[MSG_FILE_READ_MAX];
    struct link_frame_s frame; /* built (CRCs done) by the filling thread; the sender only writes */
    bool queued;
};

struct data_sender_s {
    struct link_s *link;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct data_slot_s slots[DATA_SENDER_SLOTS];
    unsigned next_fill, next_send;
    bool stopping;
};

int data_sender_init(struct data_sender_s *d, struct link_s *link);
void data_sender_destroy(struct data_sender_s *d);
/* A free slot to fill, waiting while both are on their way out. */
struct data_slot_s *data_sender_slot(struct data_sender_s *d);
/* Queues the filled slot as the reply to request id. */
void data_sender_submit(struct data_sender_s *d, struct data_slot_s *slot, uint32_t id, uint64_t offset, size_t size);

#endif
