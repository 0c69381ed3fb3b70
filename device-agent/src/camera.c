#include "camera.h"

#include <stdio.h>

int camera_bitrate_check(int kbps, char *err, size_t err_len) {
    if (kbps >= CAMERA_BITRATE_MIN_KBPS && kbps <= CAMERA_BITRATE_MAX_KBPS) return 0;
    snprintf(err, err_len, "bitrate %d kbps outside %d..%d", kbps, CAMERA_BITRATE_MIN_KBPS, CAMERA_BITRATE_MAX_KBPS);
    return -1;
}

int camera_settings_check(const struct camera_backend_s *b, const struct camera_settings_s *s, char *err,
                          size_t err_len) {
    if (s->source != CAMERA_SOURCE_CAMERA && s->source != CAMERA_SOURCE_DISPLAY) {
        snprintf(err, err_len, "unknown source %d", (int)s->source);
        return -1;
    }
    if (!(b->sources & (1u << s->source))) {
        snprintf(err, err_len, "this board has no %s to stream", s->source == CAMERA_SOURCE_DISPLAY ? "display" : "camera");
        return -1;
    }
    if (s->codec != CAMERA_CODEC_H264 && s->codec != CAMERA_CODEC_H265) {
        snprintf(err, err_len, "unknown codec %d", (int)s->codec);
        return -1;
    }
    if (!(b->codecs & (1u << s->codec))) {
        snprintf(err, err_len, "this board cannot encode %s", s->codec == CAMERA_CODEC_H264 ? "H.264" : "H.265");
        return -1;
    }
    if (s->width < CAMERA_WIDTH_MIN || s->height < CAMERA_HEIGHT_MIN || s->width > b->max_width ||
        s->height > b->max_height) {
        snprintf(err, err_len, "resolution %dx%d outside %dx%d..%dx%d", s->width, s->height, CAMERA_WIDTH_MIN,
                 CAMERA_HEIGHT_MIN, b->max_width, b->max_height);
        return -1;
    }
    if (s->width % CAMERA_WIDTH_MULTIPLE || s->height % CAMERA_HEIGHT_MULTIPLE) {
        snprintf(err, err_len, "width must be a multiple of %d and height of %d (got %dx%d)", CAMERA_WIDTH_MULTIPLE,
                 CAMERA_HEIGHT_MULTIPLE, s->width, s->height);
        return -1;
    }
    if (s->fps < CAMERA_FPS_MIN || s->fps > b->max_fps) {
        snprintf(err, err_len, "fps %d outside %d..%d", s->fps, CAMERA_FPS_MIN, b->max_fps);
        return -1;
    }
    if (camera_bitrate_check(s->bitrate_kbps, err, err_len) < 0) return -1;
    if (s->gop < CAMERA_GOP_MIN || s->gop > CAMERA_GOP_MAX) {
        snprintf(err, err_len, "gop %d outside %d..%d", s->gop, CAMERA_GOP_MIN, CAMERA_GOP_MAX);
        return -1;
    }
    if (s->profile < CAMERA_PROFILE_BASELINE || s->profile > CAMERA_PROFILE_HIGH) {
        snprintf(err, err_len, "unknown profile %d", (int)s->profile);
        return -1;
    }
    return 0;
}
