/* The link on a serial device (a FIFO stands in for the board's CDC port): small reads lose
 * nothing, an idle device reads as "no data", frames written come out whole. */
#define _XOPEN_SOURCE 700 /* mkdtemp, mkfifo */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "link.h"
#include "wire.h"

static char base[64], fifo[128];

/* Reads from the link with room for only `room` bytes at a time until `want` bytes came. */
static size_t read_in_pieces(struct link_s *l, uint8_t *out, size_t want, size_t room) {
    size_t got = 0;
    for (int idle = 0; got < want && idle < 5;) {
        size_t cap = want - got < room ? want - got : room;
        ssize_t n = link_read(l, out + got, cap, 50);
        if (n < 0) break;
        if (n == 0) idle++;
        got += (size_t)n;
    }
    return got;
}

int main(void) {
    snprintf(base, sizeof(base), "/tmp/k230-link-XXXXXX");
    if (!mkdtemp(base)) return 1;
    snprintf(fifo, sizeof(fifo), "%s/ttyUSB1", base);
    if (mkfifo(fifo, 0600) < 0) return 1;

    struct link_s link;
    CHECK_EQ_INT(link_open_device(&link, fifo), 0);
    int host = open(fifo, O_WRONLY | O_NONBLOCK); /* the other end: the host */
    CHECK(host >= 0);

    /* More bytes than one device read, handed out 7 at a time: all of them, in order. */
    static uint8_t sent[10000], got[10000];
    for (size_t i = 0; i < sizeof(sent); i++) sent[i] = (uint8_t)(i * 31 + 7);
    CHECK_EQ_INT(write(host, sent, sizeof(sent)), sizeof(sent));
    CHECK_EQ_INT(read_in_pieces(&link, got, sizeof(sent), 7), sizeof(sent));
    CHECK(memcmp(sent, got, sizeof(sent)) == 0);

    /* Nothing to read: 0 after the wait, not an error and not a hang-up. */
    uint8_t one[16];
    CHECK_EQ_INT(link_read(&link, one, sizeof(one), 20), 0);

    /* A frame sent on the device is read back whole by a frame decoder. */
    int back = open(fifo, O_RDONLY | O_NONBLOCK);
    CHECK(back >= 0);
    uint8_t payload[3000];
    for (size_t i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)i;
    struct iovec parts[2] = {{payload, 1000}, {payload + 1000, 2000}};
    CHECK_EQ_INT(link_send(&link, 0x81, 42, parts, 2), 0);
    struct wire_decoder_s d;
    CHECK_EQ_INT(wire_decoder_init(&d, 64 * 1024), 0);
    struct wire_frame_s f = {0};
    int have = 0;
    for (int tries = 0; !have && tries < 100; tries++) {
        uint8_t chunk[512];
        ssize_t n = read(back, chunk, sizeof(chunk));
        if (n > 0) wire_decoder_push(&d, chunk, (size_t)n);
        have = wire_decoder_next(&d, &f);
    }
    CHECK_EQ_INT(have, 1);
    CHECK_EQ_INT(f.type, 0x81);
    CHECK_EQ_INT(f.id, 42);
    CHECK_EQ_INT(f.length, sizeof(payload));
    CHECK(have && memcmp(f.payload, payload, sizeof(payload)) == 0);
    wire_decoder_destroy(&d);

    close(back);
    close(host);
    link_close(&link);
    unlink(fifo);
    rmdir(base);
    return check_report("test_link");
}
