/* The simulated camera: a test pattern paced at the requested frame rate, encoded in real time, on a
 * sensor grid aligned to the board clock (sim_sensor_grid.h), its corner block marking each whole
 * second (sim_marks.h). Its display source is the same picture with an OSD layer composed over it
 * (sim_osd.h), marked and encoded alike. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/camera.h"
#include "../../src/clock.h"
#include "sim_encoder.h"
#include "sim_marks.h"
#include "sim_osd.h"
#include "sim_sensor_grid.h"

struct camera_s {
    const struct sim_encoder_ops_s *ops;
    struct sim_encoder_s *enc;
    struct camera_settings_s settings;
    camera_on_au_fn on_au;
    void *ctx;
    pthread_t thread;
    atomic_bool stop;
    atomic_bool idr_requested;
    atomic_int pending_bitrate; /* 0 when none */
};

/* The corner block: white on the frame of a whole second, black on every other. */
static void sim_camera_mark(const struct sim_picture_s *pic, bool whole_second) {
    int side = SIM_MARK_BLOCK < pic->width ? SIM_MARK_BLOCK : pic->width;
    int rows = SIM_MARK_BLOCK < pic->height ? SIM_MARK_BLOCK : pic->height;
    for (int y = 0; y < rows; y++)
        memset(pic->plane[0] + (size_t)y * (size_t)pic->stride[0], whole_second ? SIM_MARK_WHITE : SIM_MARK_BLACK,
               (size_t)side);
}

static void *sim_camera_run(void *arg) {
    struct camera_s *cam = arg;
    int fps = cam->settings.fps;
    int64_t first_us = clock_now_us();
    bool off_grid;
    int64_t slot = sim_grid_first_slot(first_us, fps, &off_grid);
    uint32_t frame_number = 0;
    struct camera_au_s au;
    while (!atomic_load(&cam->stop)) {
        /* A sensor's frames come on a fixed cadence: the pts is the frame's slot, not when we got to it. */
        int64_t capture_us = off_grid ? first_us : sim_grid_slot_us(slot, fps);
        clock_sleep_until_us(capture_us);
        struct sim_picture_s *pic = cam->ops->picture(cam->enc);
        sim_pattern_draw(pic, frame_number);
        if (cam->settings.source == CAMERA_SOURCE_DISPLAY) sim_osd_draw(pic, frame_number);
        sim_camera_mark(pic, !off_grid && slot % fps == 0);
        int kbps = atomic_exchange(&cam->pending_bitrate, 0);
        if (kbps) cam->ops->set_bitrate(cam->enc, kbps);
        bool idr = atomic_exchange(&cam->idr_requested, false);
        if (cam->ops->encode(cam->enc, idr, &au) < 0) {
            fprintf(stderr, "sim: encoder failed at frame %u\n", frame_number);
            break;
        }
        if (au.nal_count) {
            au.pts_us = capture_us;
            if (cam->on_au(cam->ctx, &au)) atomic_store(&cam->idr_requested, true);
        }
        frame_number++;
        if (off_grid) {
            off_grid = false; /* the grid's first slot is still to come */
            continue;
        }
        slot = sim_grid_next_slot(slot, clock_now_us(), fps);
    }
    return NULL;
}

static struct camera_s *sim_camera_open(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx,
                                        char *err, size_t err_len) {
    struct camera_s *cam = calloc(1, sizeof(*cam));
    if (!cam) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    cam->ops = s->codec == CAMERA_CODEC_H264 ? &sim_encoder_x264 : &sim_encoder_x265;
    cam->settings = *s;
    cam->on_au = on_au;
    cam->ctx = ctx;
    cam->enc = cam->ops->open(s, err, err_len);
    if (!cam->enc) {
        free(cam);
        return NULL;
    }
    int rc = pthread_create(&cam->thread, NULL, sim_camera_run, cam);
    if (rc) {
        snprintf(err, err_len, "cannot start the camera thread: %s", strerror(rc));
        cam->ops->close(cam->enc);
        free(cam);
        return NULL;
    }
    return cam;
}

static int sim_camera_request_idr(struct camera_s *cam) {
    atomic_store(&cam->idr_requested, true);
    return 0;
}

static int sim_camera_set_bitrate(struct camera_s *cam, int kbps) {
    atomic_store(&cam->pending_bitrate, kbps);
    return 0;
}

static void sim_camera_close(struct camera_s *cam) {
    atomic_store(&cam->stop, true);
    pthread_join(cam->thread, NULL);
    cam->ops->close(cam->enc);
    free(cam);
}

const struct camera_backend_s camera_backend_sim = {
    .name = "sim",
    .max_width = 1920,
    .max_height = 1080,
    .max_fps = 60,
    .codecs = (1u << CAMERA_CODEC_H264) | (1u << CAMERA_CODEC_H265),
    .sources = (1u << CAMERA_SOURCE_CAMERA) | (1u << CAMERA_SOURCE_DISPLAY),
    .audio = &audio_backend_sim,
    .open = sim_camera_open,
    .request_idr = sim_camera_request_idr,
    .set_bitrate = sim_camera_set_bitrate,
    .close = sim_camera_close,
};
