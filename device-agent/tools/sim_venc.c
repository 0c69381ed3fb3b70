/* k230-sim-venc: one VENC channel of a simulated stock CanMV board, over the simulator's camera
 * (test pattern + libx264/libx265). It writes each frame as the K230's VENC hands it to
 * MicroPython's Encoder.GetStream: a HEADER pack (the parameter sets) before each IDR, then one
 * I or P pack, each Annex-B with start codes. Each pack on stdout: u8 type (0 HEADER, 1 I, 2 P),
 * 3 zero bytes, u32 length, u64 pts (microseconds, CLOCK_MONOTONIC), all little-endian, then the
 * bytes. A byte 'I' on stdin asks for an IDR; end of stdin stops the channel.
 * With --input frames the channel has no camera: it encodes the pictures sent to it on stdin, as
 * Encoder.SendFrame sends the display's write-back to VENC: a byte 'F', the u64 pts (little-endian),
 * then one I420 picture of the channel's size; 'I' asks for an IDR as before. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/bytes.h"
#include "../src/camera.h"
#include "../backends/sim/sim_encoder.h"

enum { PACK_HEADER = 0, PACK_I = 1, PACK_P = 2 };
#define PACK_MAX (8u << 20)

static uint8_t pack_buf[PACK_MAX];
static atomic_bool output_gone;

static bool is_parameter_set(enum camera_codec_e codec, const struct camera_nal_s *nal) {
    if (codec == CAMERA_CODEC_H264) return (nal->data[0] & 0x1f) == 7 || (nal->data[0] & 0x1f) == 8;
    int type = (nal->data[0] >> 1) & 0x3f;
    return type >= 32 && type <= 34;
}

static void write_pack(int type, int64_t pts_us, size_t len) {
    uint8_t head[16];
    struct bytes_writer_s w;
    bytes_writer_init(&w, head, sizeof(head));
    bytes_put_u8(&w, (uint8_t)type);
    bytes_put_zeros(&w, 3);
    bytes_put_u32le(&w, (uint32_t)len);
    bytes_put_u64le(&w, (uint64_t)pts_us);
    if (fwrite(head, 1, sizeof(head), stdout) != sizeof(head) || fwrite(pack_buf, 1, len, stdout) != len ||
        fflush(stdout) != 0)
        atomic_store(&output_gone, true);
}

/* The NAL units of `au` that `want_sets` selects, each behind a 4-byte start code, into pack_buf. */
static size_t gather(const struct camera_au_s *au, enum camera_codec_e codec, bool want_sets) {
    size_t n = 0;
    for (size_t i = 0; i < au->nal_count; i++) {
        const struct camera_nal_s *nal = &au->nals[i];
        if (!nal->size || is_parameter_set(codec, nal) != want_sets || n + 4 + nal->size > PACK_MAX) continue;
        memcpy(pack_buf + n, "\0\0\0\1", 4);
        memcpy(pack_buf + n + 4, nal->data, nal->size);
        n += 4 + nal->size;
    }
    return n;
}

/* ctx: the channel's settings */
static bool on_au(void *ctx, const struct camera_au_s *au) {
    enum camera_codec_e codec = ((const struct camera_settings_s *)ctx)->codec;
    size_t n;
    if (au->keyframe && (n = gather(au, codec, true)) > 0) write_pack(PACK_HEADER, au->pts_us, n);
    n = gather(au, codec, false);
    if (n) write_pack(au->keyframe ? PACK_I : PACK_P, au->pts_us, n);
    return false;
}

static bool read_all(void *buf, size_t len) {
    uint8_t *p = buf;
    while (len) {
        ssize_t n = read(STDIN_FILENO, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* The pictures sent on stdin, each encoded as it comes: a VENC channel fed by SendFrame. */
static int encode_frames(const struct camera_settings_s *s) {
    const struct sim_encoder_ops_s *ops = s->codec == CAMERA_CODEC_H264 ? &sim_encoder_x264 : &sim_encoder_x265;
    char err[256];
    struct sim_encoder_s *enc = ops->open(s, err, sizeof(err));
    if (!enc) {
        fprintf(stderr, "k230-sim-venc: %s\n", err);
        return 1;
    }
    struct sim_picture_s *pic = ops->picture(enc);
    bool idr = false;
    uint8_t c;
    while (!atomic_load(&output_gone) && read_all(&c, 1)) {
        if (c == 'I') {
            idr = true;
            continue;
        }
        uint8_t pts[8];
        if (c != 'F' || !read_all(pts, sizeof(pts))) break;
        bool whole = true;
        for (int p = 0; p < 3 && whole; p++) {
            int w = p ? pic->width / 2 : pic->width, h = p ? pic->height / 2 : pic->height;
            for (int y = 0; y < h && whole; y++) whole = read_all(pic->plane[p] + (size_t)y * (size_t)pic->stride[p], (size_t)w);
        }
        if (!whole) break;
        struct camera_au_s au;
        if (ops->encode(enc, idr, &au) < 0) {
            fprintf(stderr, "k230-sim-venc: the encoder failed\n");
            break;
        }
        idr = false;
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | pts[i];
        au.pts_us = (int64_t)v;
        if (au.nal_count) on_au((void *)s, &au);
    }
    ops->close(enc);
    return 0;
}

int main(int argc, char **argv) {
    bool frames_in = false;
    struct camera_settings_s s = {1280, 720, 30, CAMERA_CODEC_H264, CAMERA_PROFILE_MAIN, 4000, 30, {AUDIO_CODEC_OFF, 0}, CAMERA_SOURCE_CAMERA};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i];
        int v = atoi(argv[i + 1]);
        if (!strcmp(k, "--width")) s.width = v;
        else if (!strcmp(k, "--height")) s.height = v;
        else if (!strcmp(k, "--fps")) s.fps = v;
        else if (!strcmp(k, "--codec")) s.codec = v == 2 ? CAMERA_CODEC_H265 : CAMERA_CODEC_H264;
        else if (!strcmp(k, "--profile")) s.profile = (enum camera_profile_e)v;
        else if (!strcmp(k, "--bitrate-kbps")) s.bitrate_kbps = v;
        else if (!strcmp(k, "--gop")) s.gop = v;
        else if (!strcmp(k, "--input") && !strcmp(argv[i + 1], "frames")) frames_in = true;
        else {
            fprintf(stderr, "usage: k230-sim-venc [--width W --height H --fps F --codec 1|2 --profile 0|1|2 "
                            "--bitrate-kbps K --gop G] [--input frames]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    char err[256];
    if (camera_settings_check(&camera_backend_sim, &s, err, sizeof(err)) < 0) {
        fprintf(stderr, "k230-sim-venc: %s\n", err);
        return 1;
    }
    if (frames_in) return encode_frames(&s);
    struct camera_s *cam = camera_backend_sim.open(&s, on_au, &s, err, sizeof(err));
    if (!cam) {
        fprintf(stderr, "k230-sim-venc: %s\n", err);
        return 1;
    }
    char c;
    ssize_t n;
    while (!atomic_load(&output_gone) && ((n = read(STDIN_FILENO, &c, 1)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0 && c == 'I') camera_backend_sim.request_idr(cam);
    camera_backend_sim.close(cam);
    return 0;
}
