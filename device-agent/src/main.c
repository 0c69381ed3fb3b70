/* k230-agent: serves the K230 Live protocol on a serial link. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camera.h"
#include "link.h"
#include "session.h"
#include "version.h"

static volatile bool main_stop;

static void main_on_signal(int sig) {
    (void)sig;
    main_stop = true;
}

/* Which backends exist is decided by the build (Makefile TARGET). */
static const struct camera_backend_s *main_backend(bool use_sim) {
#ifdef AGENT_HAVE_SIM
    if (use_sim) return &camera_backend_sim;
#endif
#ifdef AGENT_HAVE_K230
    if (!use_sim) return &camera_backend_k230;
#endif
    return NULL;
}

static void main_usage(FILE *out) {
    fprintf(out,
            "usage: k230-agent (--pty | --device PATH) [--sim] [--no-microphone] [--sdcard DIR] [--board-name NAME]\n"
            "  --pty          create a pseudo-terminal; its path is the first stdout line: PTY <path>\n"
            "  --pty-link P   also make P a symlink to it: a port path that survives agent restarts\n"
            "  --device PATH  serve an existing serial device (the board's USB CDC ACM port);\n"
            "                 the first stdout line is then: DEVICE <path>\n"
            "  --sim          simulated camera: test pattern + software encoder, and a microphone\n"
            "  --no-microphone  a board without one (the simulator's is left out)\n"
            "  --sdcard DIR   storage root served to the host\n");
}

int main(int argc, char **argv) {
    bool use_pty = false, use_sim = false, no_microphone = false;
    const char *device = NULL, *sdcard = NULL, *board_name = NULL, *pty_link = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--pty")) use_pty = true;
        else if (!strcmp(a, "--sim")) use_sim = true;
        else if (!strcmp(a, "--no-microphone")) no_microphone = true;
        else if (!strcmp(a, "--device") && next) device = argv[++i];
        else if (!strcmp(a, "--sdcard") && next) sdcard = argv[++i];
        else if (!strcmp(a, "--board-name") && next) board_name = argv[++i];
        else if (!strcmp(a, "--pty-link") && next) pty_link = argv[++i];
        else if (!strcmp(a, "--version")) {
            printf("k230-agent %s\n", AGENT_VERSION);
            return 0;
        } else if (!strcmp(a, "--help")) {
            main_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "k230-agent: unknown or incomplete option %s\n", a);
            main_usage(stderr);
            return 2;
        }
    }
    if (use_pty == (device != NULL)) {
        fprintf(stderr, "k230-agent: give exactly one of --pty or --device PATH\n");
        return 2;
    }
    const struct camera_backend_s *backend = main_backend(use_sim);
    if (!backend) {
        fprintf(stderr, "k230-agent: this build has no %s camera\n", use_sim ? "simulated" : "K230");
        return 2;
    }
    static struct camera_backend_s without_microphone;
    if (no_microphone) {
        without_microphone = *backend;
        without_microphone.audio = NULL;
        backend = &without_microphone;
    }
    if (!board_name) board_name = !strcmp(backend->name, "sim") ? "Simulated K230" : "CanMV K230";

    struct link_s link;
    if (use_pty ? link_open_pty(&link) : link_open_device(&link, device)) return 1; /* it said why */
    int status = 1;
    bool aliased = false;
    if (use_pty && pty_link) {
        if (link_make_alias(&link, pty_link) < 0) goto close_link;
        aliased = true;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = main_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct session_config_s config = {.board_name = board_name, .storage_root = sdcard};
    struct session_s session;
    if (session_init(&session, &config, backend, &link) < 0) goto close_link; /* it said what failed */
    /* The first stdout line says where the agent serves, once it can (a missing storage root ends it
     * before): a launcher waits for it. */
    printf("%s %s\n", use_pty ? "PTY" : "DEVICE", link.path);
    fflush(stdout);
    session_serve(&session, &main_stop);
    session_destroy(&session);
    status = 0;

close_link:
    if (aliased) link_remove_alias(&link, pty_link);
    link_close(&link);
    return status;
}
