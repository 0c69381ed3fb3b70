/* A camera backend for the C tests: it opens and takes IDR and bit rate requests, and a frame comes
 * only when the test hands one to test_on_au itself. Included by each test that needs it, as
 * check.h is. */
#ifndef K230_TEST_CAMERA_H
#define K230_TEST_CAMERA_H

#include "camera.h"

static camera_on_au_fn test_on_au;
static void *test_on_au_ctx;

static struct camera_s *test_camera_open(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx,
                                         char *err, size_t err_len) {
    (void)s, (void)err, (void)err_len;
    test_on_au = on_au;
    test_on_au_ctx = ctx;
    return (struct camera_s *)&test_on_au; /* any non-NULL handle */
}
static int test_camera_request_idr(struct camera_s *cam) { return (void)cam, 0; }
static int test_camera_set_bitrate(struct camera_s *cam, int kbps) { return (void)cam, (void)kbps, 0; }
static void test_camera_close(struct camera_s *cam) { (void)cam; }

static const struct camera_backend_s test_camera = {
    .name = "test", .max_width = 1920, .max_height = 1080, .max_fps = 60,
    .codecs = 1u << CAMERA_CODEC_H264,
    .open = test_camera_open, .request_idr = test_camera_request_idr,
    .set_bitrate = test_camera_set_bitrate, .close = test_camera_close,
};

#endif
