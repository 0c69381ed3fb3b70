#include "data_sender.h"

#include <stdio.h>
#include <string.h>


static void *data_sender_run(void *arg) {
    struct data_sender_s *d = arg;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        struct data_slot_s *slot = &d->slots[d->next_send];
        while (!slot->queued && !d->stopping) pthread_cond_wait(&d->changed, &d->lock);
        if (!slot->queued) break; /* stopping, nothing left to send */
        pthread_mutex_unlock(&d->lock);
        if (link_frame_write(d->link, &slot->frame) < 0) fprintf(stderr, "agent: file data lost: link write failed\n");
        pthread_mutex_lock(&d->lock);
        slot->queued = false;
        d->next_send = (d->next_send + 1) % DATA_SENDER_SLOTS;
        pthread_cond_broadcast(&d->changed);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int data_sender_init(struct data_sender_s *d, struct link_s *link) {
    memset(d, 0, sizeof(*d));
    d->link = link;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->changed, NULL);
    if (pthread_create(&d->thread, NULL, data_sender_run, d) != 0) {
        pthread_mutex_destroy(&d->lock);
        pthread_cond_destroy(&d->changed);
        return -1;
    }
    return 0;
}

void data_sender_destroy(struct data_sender_s *d) {
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_broadcast(&d->changed);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->changed);
}

struct data_slot_s *data_sender_slot(struct data_sender_s *d) {
    pthread_mutex_lock(&d->lock);
    struct data_slot_s *slot = &d->slots[d->next_fill];
    while (slot->queued) pthread_cond_wait(&d->changed, &d->lock);
    pthread_mutex_unlock(&d->lock);
    return slot;
}

void data_sender_submit(struct data_sender_s *d, struct data_slot_s *slot, uint32_t id, uint64_t offset, size_t size) {
    /* FILE_DATA's fields, encoded without its data: the bytes go from the slot. */
    struct msg_s m = {.type = MSG_FILE_DATA, .id = id};
    m.u.file_data.offset = offset;
    long head_len = msg_encode_payload(&m, slot->head, sizeof(slot->head));
    struct iovec parts[2] = {{slot->head, (size_t)head_len}, {slot->data, size}};
    link_frame_build(&slot->frame, MSG_FILE_DATA, id, parts, 2);
    pthread_mutex_lock(&d->lock);
    slot->queued = true;
    d->next_fill = (d->next_fill + 1) % DATA_SENDER_SLOTS;
    pthread_cond_broadcast(&d->changed);
    pthread_mutex_unlock(&d->lock);
}
