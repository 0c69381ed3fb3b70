/* A camera backend for the C tests, with a camera and a display: it opens either and takes IDR and
 * bit rate requests, and a frame comes only when the test hands one to test_on_au itself. Included
 * by each test that needs it, as check.h is. */
#ifndef K230_TEST_CAMERA_H
#define K230_TEST_CAMERA_H

#include "camera.h"

static camera_on_au_fn test_on_au;
static void *test_on_au_ctx;
static struct camera_settings_s test_opened; /* the settings of the channel opened last */

static struct camera_s *test_camera_open(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx,
                                         char *err, size_t err_len) {
    (void)err, (void)err_len;
    test_opened = *s;
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
    .sources = (1u << CAMERA_SOURCE_CAMERA) | (1u << CAMERA_SOURCE_DISPLAY),
    .open = test_camera_open, .request_idr = test_camera_request_idr,
    .set_bitrate = test_camera_set_bitrate, .close = test_camera_close,
};

/* One captured frame, H.264 (a keyframe carries its SPS and PPS); returns whether the pipeline asked
 * for the next one to be an IDR. */
static const uint8_t test_sps[] = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40, 0x00,
                                   0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x0f, 0x23, 0xc6, 0x0c, 0xa8};
static const uint8_t test_pps[] = {0x68, 0xce, 0x3c, 0x80};
static const uint8_t test_idr[] = {0x65, 0x88, 0x84, 0x00, 0x33};
static const uint8_t test_slice[] = {0x41, 0x9a, 0x02, 0x03};
static int64_t test_pts_us;

static bool test_camera_frame(bool keyframe) {
    struct camera_au_s au = {.pts_us = test_pts_us += 33333, .keyframe = keyframe};
    if (keyframe) {
        au.nals[au.nal_count++] = (struct camera_nal_s){test_sps, sizeof(test_sps)};
        au.nals[au.nal_count++] = (struct camera_nal_s){test_pps, sizeof(test_pps)};
        au.nals[au.nal_count++] = (struct camera_nal_s){test_idr, sizeof(test_idr)};
    } else {
        au.nals[au.nal_count++] = (struct camera_nal_s){test_slice, sizeof(test_slice)};
    }
    return test_on_au(test_on_au_ctx, &au);
}

#endif
