#include "camera.h"

#include <stdio.h>

int camera_settings_check(const struct camera_backend_s *b, const struct camera_settings_s *s, char *err,
                          size_t err_len) {
    if (s->codec != CAMERA_CODEC_H264 && s->codec != CAMERA_CODEC_H265) {
        snprintf(err, err_len, "unknown codec %d", (int)s->codec);
        return -1;
    }
    if (!(b->codecs & (1u << s->codec))) {
        snprintf(err, err_len, "this board cannot encode %s", s->codec == CAMERA_CODEC_H264 ? "H.264" : "H.265");
        return -1;
    }
    if (s->width < 64 || s->height < 64 || s->width > b->max_width || s->height > b->max_height) {
        snprintf(err, err_len, "resolution %dx%d outside 64x64..%dx%d", s->width, s->height, b->max_width,
                 b->max_height);
        return -1;
    }
    if (s->width % 8 || s->height % 2) {
        snprintf(err, err_len, "width must be a multiple of 8 and height even (got %dx%d)", s->width, s->height);
        return -1;
    }
    if (s->fps < 1 || s->fps > b->max_fps) {
        snprintf(err, err_len, "fps %d outside 1..%d", s->fps, b->max_fps);
        return -1;
    }
    if (s->bitrate_kbps < 100 || s->bitrate_kbps > 100000) {
        snprintf(err, err_len, "bitrate %d kbps outside 100..100000", s->bitrate_kbps);
        return -1;
    }
    if (s->gop < 1 || s->gop > 1000) {
        snprintf(err, err_len, "gop %d outside 1..1000", s->gop);
        return -1;
    }
    if (s->profile < CAMERA_PROFILE_BASELINE || s->profile > CAMERA_PROFILE_HIGH) {
        snprintf(err, err_len, "unknown profile %d", (int)s->profile);
        return -1;
    }
    return 0;
}
