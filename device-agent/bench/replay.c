/* Replays a recorded H.264 stream through the agent's live path — queue, fMP4 muxer, link framing,
 * the write — with no encoder, so that callgrind counts only that path's instructions.
 * usage: replay FILE.264 FPS OUT   (OUT: a file or /dev/null; the link writes the frames there) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/camera.h"
#include "../src/clock.h"
#include "../src/link.h"
#include "../src/live.h"
#include "../src/nal.h"
#include "../src/stream.h"

struct replay_s {
    struct camera_nal_s nals[1 << 16];
    size_t nal_count;
    camera_on_au_fn on_au;
    void *ctx;
    struct stream_s *stream;
    uint64_t payload_bytes;
};

static struct replay_s replay;

/* The replayed "camera": hands over one access unit at a time, waiting until the pipeline has taken
 * the previous one, so nothing is dropped and every frame's work is counted. */
static struct camera_s *replay_open(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx, char *err,
                                    size_t err_len) {
    (void)s;
    (void)err;
    (void)err_len;
    replay.on_au = on_au;
    replay.ctx = ctx;
    return (struct camera_s *)&replay;
}

static int replay_nothing(struct camera_s *cam) {
    (void)cam;
    return 0;
}

static int replay_bitrate(struct camera_s *cam, int kbps) {
    (void)cam;
    (void)kbps;
    return 0;
}

static void replay_close(struct camera_s *cam) { (void)cam; }

static const struct camera_backend_s replay_backend = {
    .name = "replay", .max_width = 4096, .max_height = 4096, .max_fps = 240,
    .codecs = 1u << CAMERA_CODEC_H264, .sources = 1u << CAMERA_SOURCE_CAMERA,
    .open = replay_open, .request_idr = replay_nothing, .set_bitrate = replay_bitrate, .close = replay_close,
};

static void replay_run(int fps) {
    struct camera_au_s au = {0};
    uint32_t delivered = 0;
    int64_t pts = 0;
    bool have_picture = false;
    for (size_t i = 0; i <= replay.nal_count; i++) {
        const struct camera_nal_s *nal = i < replay.nal_count ? &replay.nals[i] : NULL;
        int type = nal ? nal_type(CAMERA_CODEC_H264, nal) : -1;
        bool vcl = type == NAL_H264_IDR || type == 1;
        /* A picture ends where the next one's first slice (first_mb_in_slice 0) or its parameter sets begin. */
        bool next_picture = !nal || (have_picture && (!vcl || (nal->size > 1 && (nal->data[1] & 0x80))));
        if (!next_picture || !have_picture) {
            if (au.nal_count < CAMERA_MAX_NALS) au.nals[au.nal_count++] = *nal;
            if (type == NAL_H264_IDR) au.keyframe = true;
            have_picture = have_picture || vcl;
            continue;
        }
        au.pts_us = pts;
        pts += 1000000 / fps;
        for (size_t k = 0; k < au.nal_count; k++) replay.payload_bytes += au.nals[k].size;
        replay.on_au(replay.ctx, &au);
        delivered++;
        while (stream_stats(replay.stream).sent + stream_stats(replay.stream).dropped < delivered)
            clock_sleep_until_us(clock_now_us() + 100);
        memset(&au, 0, sizeof(au));
        have_picture = false;
        if (nal) i--; /* this NAL starts the next picture */
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: replay FILE.264 FPS OUT\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) return 1;
    fclose(f);
    int n = nal_split_annexb(data, (size_t)size, replay.nals, sizeof(replay.nals) / sizeof(replay.nals[0]));
    if (n < 0) return 1;
    replay.nal_count = (size_t)n;

    struct link_s link;
    int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || link_open_device(&link, argv[3]) < 0) return 1;
    close(fd);
    struct stream_s stream;
    replay.stream = &stream;
    stream_init(&stream, &replay_backend, live_sink(&link), 6);
    struct camera_settings_s settings = {1920, 1080, atoi(argv[2]), CAMERA_CODEC_H264, CAMERA_PROFILE_HIGH, 8000, 30, {AUDIO_CODEC_OFF, 0}, CAMERA_SOURCE_CAMERA};
    char err[200];
    if (stream_start(&stream, &settings, err, sizeof(err)) < 0) {
        fprintf(stderr, "replay: %s\n", err);
        return 1;
    }
    replay_run(settings.fps);
    struct stream_stats_s st = stream_stats(&stream);
    stream_stop(&stream);
    stream_destroy(&stream);
    link_close(&link);
    printf("frames %u dropped %u payload_bytes %llu\n", st.sent, st.dropped, (unsigned long long)replay.payload_bytes);
    free(data);
    return 0;
}
