/* k230-sim-usb: the USB CDC port of a simulated stock CanMV board. It makes a pseudo-terminal (or
 * serves an existing serial device) and relays its bytes to and from its own stdin/stdout, where the
 * board's MicroPython runs (src/simulators/stock-board/). Like the board, it throws away what the board sends
 * while no host holds the port open (on the board: while DTR is not asserted). The port's path is
 * the first line on stderr: "PTY <path>" or "DEVICE <path>". */
#define _GNU_SOURCE /* posix_openpt, ptsname_r, cfmakeraw */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SIM_USB_CHUNK 16384

static int sim_usb_raw(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return -1;
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t);
}

static int sim_usb_open_pty(char *path, size_t path_len) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, path, path_len) != 0) return -1;
    int slave = open(path, O_RDWR | O_NOCTTY); /* raw on the slave: no echo of what the host sends */
    if (slave < 0 || sim_usb_raw(slave) < 0) return -1;
    close(slave);
    return fd;
}

static int sim_usb_link(const char *link, const char *target) {
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.new", link);
    unlink(tmp);
    return symlink(target, tmp) < 0 || rename(tmp, link) < 0 ? -1 : 0;
}

/* The link goes with the port, unless it points elsewhere now (a board started since took it): left
 * behind, it would name a pseudo-terminal the next program may be given. */
static void sim_usb_unlink(const char *link, const char *target) {
    char now[4096];
    ssize_t n = readlink(link, now, sizeof(now) - 1);
    if (n < 0) return;
    now[n] = '\0';
    if (!strcmp(now, target)) unlink(link);
}

static volatile sig_atomic_t sim_usb_stop;

static void sim_usb_on_signal(int sig) {
    (void)sig;
    sim_usb_stop = 1;
}

/* Writes all of buf to a blocking fd; -1 when it is gone. */
static int sim_usb_write_all(int fd, const char *buf, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *device = NULL, *pty_link = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
        else if (!strcmp(argv[i], "--pty-link") && i + 1 < argc) pty_link = argv[++i];
        else if (strcmp(argv[i], "--pty")) {
            fprintf(stderr, "usage: k230-sim-usb (--pty [--pty-link PATH] | --device PATH)\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sim_usb_on_signal; /* no SA_RESTART: poll returns, and the loop ends */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char path[256];
    int fd;
    if (device) {
        snprintf(path, sizeof(path), "%s", device);
        fd = open(device, O_RDWR | O_NOCTTY);
        if (fd >= 0 && isatty(fd)) sim_usb_raw(fd);
    } else {
        fd = sim_usb_open_pty(path, sizeof(path));
    }
    if (fd < 0 || (pty_link && sim_usb_link(pty_link, path) < 0)) {
        fprintf(stderr, "k230-sim-usb: cannot open the port: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "%s %s\n", device ? "DEVICE" : "PTY", pty_link ? pty_link : path);
    int status = 0;
    char buf[SIM_USB_CHUNK];
    while (!sim_usb_stop) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int ready = poll(p, 2, 1000);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) {
            status = 1;
            break;
        }
        /* No host on the port (a PTY master alone says POLLHUP): what the board sends is lost. */
        bool host_absent = (p[0].revents & POLLHUP) && !(p[0].revents & POLLIN);
        if (p[0].revents & POLLIN) {
            ssize_t n = read(fd, buf, sizeof(buf));
            if (n > 0 && sim_usb_write_all(STDOUT_FILENO, buf, (size_t)n) < 0) break; /* the board is gone */
            if (n < 0 && errno == EIO) host_absent = true;
        }
        if (p[1].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
            if (n == 0) break; /* the board is gone */
            if (n > 0 && !host_absent && sim_usb_write_all(fd, buf, (size_t)n) < 0) host_absent = true;
        }
        if (host_absent) usleep(20000); /* a lone PTY master polls ready for ever */
    }
    if (pty_link && !device) sim_usb_unlink(pty_link, path);
    return status;
}
