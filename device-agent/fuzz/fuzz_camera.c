#include "fuzz_camera.h"

#include <stdio.h>

static struct camera_s *fuzz_camera_open(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx,
                                         char *err, size_t err_len) {
    (void)s;
    (void)on_au;
    (void)ctx;
    snprintf(err, err_len, "the fuzz camera has no sensor");
    return NULL;
}

/* Never called: no channel is ever open. */
static int fuzz_camera_request_idr(struct camera_s *cam) {
    (void)cam;
    return -1;
}

static int fuzz_camera_set_bitrate(struct camera_s *cam, int kbps) {
    (void)cam;
    (void)kbps;
    return -1;
}

static void fuzz_camera_close(struct camera_s *cam) { (void)cam; }

const struct camera_backend_s camera_backend_fuzz = {
    .name = "fuzz",
    .max_width = 1920,
    .max_height = 1080,
    .max_fps = 60,
    .codecs = (1u << CAMERA_CODEC_H264) | (1u << CAMERA_CODEC_H265),
    .sources = (1u << CAMERA_SOURCE_CAMERA) | (1u << CAMERA_SOURCE_DISPLAY),
    .open = fuzz_camera_open,
    .request_idr = fuzz_camera_request_idr,
    .set_bitrate = fuzz_camera_set_bitrate,
    .close = fuzz_camera_close,
};
