/* The link on a serial device (a PTY slave, behind a symlink, stands in for the board's CDC port):
 * small reads lose nothing, an idle device reads as "no data", frames written come out whole, a
 * hang-up is reported (not spun on) and the device is opened again when its path is back, and a
 * write to a host that never reads gives up at the timeout. */
#define _GNU_SOURCE /* posix_openpt, ptsname_r, mkdtemp */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "link.h"
#include "wire.h"

static char base[64], device[128];

/* A new PTY whose slave is reached through `device`; returns the master (the host's end). */
static int host_end(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    char slave[128];
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, slave, sizeof(slave)) != 0) return -1;
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.new", device);
    unlink(tmp);
    if (symlink(slave, tmp) < 0 || rename(tmp, device) < 0) return -1;
    return m;
}

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

static void check_frames_come_out_whole(struct link_s *link, int host) {
    uint8_t payload[3000];
    for (size_t i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)i;
    struct iovec parts[2] = {{payload, 1000}, {payload + 1000, 2000}};
    CHECK_EQ_INT(link_send(link, 0x81, 42, parts, 2), 0);
    struct wire_decoder_s d;
    CHECK_EQ_INT(wire_decoder_init(&d, 64 * 1024), 0);
    struct wire_frame_s f = {0};
    int have = 0;
    for (int tries = 0; !have && tries < 100; tries++) {
        uint8_t chunk[512];
        ssize_t n = read(host, chunk, sizeof(chunk));
        if (n > 0) wire_decoder_push(&d, chunk, (size_t)n);
        have = wire_decoder_next(&d, &f);
    }
    CHECK_EQ_INT(have, 1);
    CHECK_EQ_INT(f.type, 0x81);
    CHECK_EQ_INT(f.id, 42);
    CHECK_EQ_INT(f.length, sizeof(payload));
    CHECK(have && memcmp(f.payload, payload, sizeof(payload)) == 0);
    wire_decoder_destroy(&d);
}

/* Calls link_read until it says hang-up; how many calls and how long that took. */
static int reads_until_hangup(struct link_s *link, int64_t *took_us) {
    uint8_t buf[64];
    int64_t t0 = clock_now_us();
    int calls = 0;
    while (calls < 50 && link_read(link, buf, sizeof(buf), 100) != LINK_READ_HANGUP) calls++;
    *took_us = clock_now_us() - t0;
    return calls;
}

int main(void) {
    snprintf(base, sizeof(base), "/tmp/k230-link-XXXXXX");
    if (!mkdtemp(base)) return 1;
    snprintf(device, sizeof(device), "%s/ttyUSB1", base);
    int host = host_end();
    CHECK(host >= 0);

    struct link_s link;
    CHECK_EQ_INT(link_open_device(&link, device), 0);

    /* More bytes than one device read, handed out 7 at a time: all of them, in order. */
    static uint8_t sent[3000], got[3000];
    for (size_t i = 0; i < sizeof(sent); i++) sent[i] = (uint8_t)(i * 31 + 7);
    CHECK_EQ_INT(write(host, sent, sizeof(sent)), sizeof(sent));
    CHECK_EQ_INT(read_in_pieces(&link, got, sizeof(sent), 7), sizeof(sent));
    CHECK(memcmp(sent, got, sizeof(sent)) == 0);

    /* Nothing to read: 0 after the wait, not an error and not a hang-up. */
    uint8_t one[16];
    CHECK_EQ_INT(link_read(&link, one, sizeof(one), 20), 0);

    check_frames_come_out_whole(&link, host);

    /* The host end closes (what an unplugged cable does to the tty): a hang-up, reported after the
     * wait every time, never a read of 0 that the caller would spin on. */
    close(host);
    unlink(device);
    int64_t took;
    CHECK(reads_until_hangup(&link, &took) <= 2);
    CHECK(took <= 400000);
    int64_t t0 = clock_now_us();
    CHECK_EQ_INT(link_read(&link, one, sizeof(one), 100), LINK_READ_HANGUP);
    CHECK(clock_now_us() - t0 >= 90000); /* it waited: an idle agent sleeps */
    CHECK_EQ_INT(link.fd, -1);
    struct iovec part = {one, sizeof(one)};
    CHECK_EQ_INT(link_send(&link, 0x81, 1, &part, 1), -1); /* a write to a device that is away fails at once */

    /* The device comes back under the same name: the link opens it again and serves it. */
    host = host_end();
    CHECK(host >= 0);
    ssize_t n = LINK_READ_HANGUP;
    for (int i = 0; i < 5 && n == LINK_READ_HANGUP; i++) n = link_read(&link, one, sizeof(one), 50);
    CHECK_EQ_INT(n, 0);
    CHECK(link.fd >= 0);
    CHECK_EQ_INT(write(host, "hello", 5), 5);
    CHECK_EQ_INT(read_in_pieces(&link, got, 5, 16), 5);
    check_frames_come_out_whole(&link, host);

    /* TIOCVHANGUP (root only), what cdc-acm does on unplug: every fd on the tty reads 0 from then on. */
    if (geteuid() == 0) {
        int tty = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK);
        CHECK(tty >= 0 && ioctl(tty, TIOCVHANGUP) == 0);
        CHECK(reads_until_hangup(&link, &took) <= 2);
        CHECK(took <= 400000);
        CHECK_EQ_INT(link.fd, -1);
        close(tty);
    } else {
        fprintf(stderr, "test_link: not root: the TIOCVHANGUP check did not run\n");
    }
    close(host);

    /* A host that never reads: the write blocks, and the watchdog ends it at the timeout. */
    host = host_end();
    for (int i = 0; i < 5 && link.fd < 0; i++) link_read(&link, one, sizeof(one), 50);
    CHECK(link.fd >= 0);
    link.write_timeout_ms = 300;
    static uint8_t big[1 << 20];
    struct iovec whole = {big, sizeof(big)};
    t0 = clock_now_us();
    CHECK_EQ_INT(link_send(&link, 0x81, 2, &whole, 1), -1);
    CHECK_EQ_INT(errno, ETIMEDOUT);
    int64_t stalled = clock_now_us() - t0;
    CHECK(stalled >= 250000 && stalled <= 1500000);

    close(host);
    link_close(&link);
    unlink(device);
    rmdir(base);
    return check_report("test_link");
}
