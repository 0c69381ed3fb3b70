/* The K230 camera: one VENC channel (H.264/H.265, CBR) fed by its own VICAP output through the MPP,
 * drained by a thread that turns each frame's packs into one access unit; or, for the display source,
 * fed by that thread with the display's write-back, one frame at a time (k230_display.h), into the
 * same access units. Kept thin: everything above camera.h is the same code the simulator runs. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/camera.h"
#include "../../src/clock.h"
#include "../../src/nal.h"
#include "k230_display.h"
#include "k230_media.h"
#include "k_payload_comm.h"
#include "k_type.h"
#include "k_venc_comm.h"
#include "mpi_sys_api.h"
#include "mpi_venc_api.h"

#define K230_CAMERA_MAX_PACKS 12    /* CanMV's VENC_PACK_CNT_MAX */
#define K230_CAMERA_HEADER_MAX 1024 /* VPS/SPS/PPS of one stream */
#define K230_CAMERA_WAIT_MS 100     /* a get_stream wait: how soon the thread sees a stop */
#define K230_DISPLAY_ENCODE_MS 200  /* a display frame's picture not out by then is given up (its frame goes back) */
#define K230_DISPLAY_QUIET_US 2000000 /* no frame from the write-back for this long is said once */
#define K230_DISPLAY_EARLY_US 2000  /* a refresh this close before it is due is taken: one on the period's edge */

struct camera_s {
    int chn; /* VENC channel and VICAP output channel, 0..K230_MEDIA_MAX_CHANNELS-1; the display's: 2 (never 3) */
    enum camera_source_e source;
    enum camera_codec_e codec;
    k_venc_chn_attr attr; /* kept: a new bitrate rebuilds the channel from it */
    bool encoder_made;
    camera_on_au_fn on_au;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock; /* the VENC channel against request_idr while it is rebuilt */
    atomic_bool stop;
    atomic_int pending_kbps; /* 0 when none */
    /* the display source, the thread's own: one refresh a period is encoded, the next from due_us */
    int64_t period_us, due_us, frame_pts_us, last_frame_us;
    bool said_quiet, said_size, said_send;
    uint8_t header[K230_CAMERA_HEADER_MAX]; /* the last HEADER pack: parameter sets, Annex-B */
    size_t header_size;
    k_venc_pack packs[K230_CAMERA_MAX_PACKS];
};

static k_venc_profile k230_camera_profile(const struct camera_settings_s *s) {
    if (s->codec == CAMERA_CODEC_H265) return VENC_PROFILE_H265_MAIN;
    return s->profile == CAMERA_PROFILE_BASELINE ? VENC_PROFILE_H264_BASELINE
           : s->profile == CAMERA_PROFILE_MAIN   ? VENC_PROFILE_H264_MAIN
                                                 : VENC_PROFILE_H264_HIGH;
}

/* The sensor runs at sensor_fps; VENC keeps fps of them (src/dst frame rate) at a constant bit rate.
 * The display's frames are sent fps a second: both rates are fps. */
static void k230_camera_attr(k_venc_chn_attr *a, const struct camera_settings_s *s, int sensor_fps) {
    memset(a, 0, sizeof(*a));
    a->venc_attr.type = s->codec == CAMERA_CODEC_H265 ? K_PT_H265 : K_PT_H264;
    a->venc_attr.stream_buf_size = (k_u32)K230_MEDIA_STREAM_BUF_SIZE;
    a->venc_attr.stream_buf_cnt = K230_MEDIA_STREAM_BUFS;
    a->venc_attr.pic_width = (k_u32)s->width;
    a->venc_attr.pic_height = (k_u32)s->height;
    a->venc_attr.profile = k230_camera_profile(s);
    a->rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
    a->rc_attr.cbr.gop = (k_u32)s->gop;
    a->rc_attr.cbr.stats_time = 0; /* as CanMV's MicroPython and the SDK sample leave it */
    a->rc_attr.cbr.src_frame_rate = (k_u32)sensor_fps;
    a->rc_attr.cbr.dst_frame_rate = (k_u32)s->fps;
    a->rc_attr.cbr.bit_rate = (k_u32)s->bitrate_kbps; /* kbps */
}

static int k230_camera_make_encoder(struct camera_s *cam, char *err, size_t err_len) {
    k_s32 rc = kd_mpi_venc_create_chn((k_u32)cam->chn, &cam->attr);
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_venc_create_chn(%d) failed (0x%x)", cam->chn, (unsigned)rc);
        return -1;
    }
    rc = kd_mpi_venc_start_chn((k_u32)cam->chn);
    if (rc != K_SUCCESS) {
        kd_mpi_venc_destroy_chn((k_u32)cam->chn);
        snprintf(err, err_len, "kd_mpi_venc_start_chn(%d) failed (0x%x)", cam->chn, (unsigned)rc);
        return -1;
    }
    cam->encoder_made = true;
    cam->header_size = 0;
    return 0;
}

static void k230_camera_destroy_encoder(struct camera_s *cam) {
    if (!cam->encoder_made) return;
    k_s32 rc = kd_mpi_venc_stop_chn((k_u32)cam->chn);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_venc_stop_chn(%d): 0x%x\n", cam->chn, (unsigned)rc);
    rc = kd_mpi_venc_destroy_chn((k_u32)cam->chn);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_venc_destroy_chn(%d): 0x%x\n", cam->chn, (unsigned)rc);
    cam->encoder_made = false;
}

static int k230_camera_request_idr(struct camera_s *cam) {
    pthread_mutex_lock(&cam->lock);
    k_s32 rc = cam->encoder_made ? kd_mpi_venc_request_idr((k_u32)cam->chn) : K_SUCCESS;
    pthread_mutex_unlock(&cam->lock);
    if (rc != K_SUCCESS) {
        fprintf(stderr, "k230: kd_mpi_venc_request_idr(%d): 0x%x\n", cam->chn, (unsigned)rc);
        return -1;
    }
    return 0;
}

/* The MPP has no bit rate setter: the channel is rebuilt (unbound, remade, rebound); it restarts on an IDR.
 * The display's channel has no bind: its thread, which rebuilds it, sends it no frame meanwhile. */
static int k230_camera_rebuild(struct camera_s *cam, int kbps) {
    char err[160];
    bool bound = cam->source == CAMERA_SOURCE_CAMERA;
    pthread_mutex_lock(&cam->lock);
    if (bound) k230_media_unbind(cam->chn);
    k230_camera_destroy_encoder(cam);
    cam->attr.rc_attr.cbr.bit_rate = (k_u32)kbps;
    int rc = k230_camera_make_encoder(cam, err, sizeof(err));
    if (rc == 0 && bound) rc = k230_media_bind(cam->chn);
    else if (rc < 0) fprintf(stderr, "k230: new bit rate %d kbps: %s\n", kbps, err);
    pthread_mutex_unlock(&cam->lock);
    return rc;
}

/* One frame's packs (HEADER, then I or P) into one access unit, start codes stripped. */
static void k230_camera_deliver(struct camera_s *cam, const k_venc_stream *stream, uint8_t *const *data) {
    struct camera_au_s au = {.nal_count = 0};
    const k_venc_pack *frame = NULL;
    for (k_u32 i = 0; i < stream->pack_cnt; i++) {
        const k_venc_pack *p = &stream->pack[i];
        if (p->type == K_VENC_HEADER) {
            cam->header_size = p->len <= sizeof(cam->header) ? p->len : 0;
            if (cam->header_size) memcpy(cam->header, data[i], p->len);
            else fprintf(stderr, "k230: a %u-byte stream header is too big\n", (unsigned)p->len);
            continue;
        }
        if (!frame) frame = p;
        if (p->type == K_VENC_I_FRAME) au.keyframe = true;
    }
    if (!frame) return; /* only a header came this time: it goes in front of the next I frame */
    bool ok = true;
    for (k_u32 i = 0; ok && i < stream->pack_cnt; i++) {
        const k_venc_pack *p = &stream->pack[i];
        if (p->type == K_VENC_HEADER) continue;
        int n = nal_split_annexb(data[i], p->len, au.nals + au.nal_count, CAMERA_MAX_NALS - au.nal_count);
        ok = n > 0;
        if (ok) au.nal_count += (size_t)n;
    }
    /* A keyframe carries its parameter sets, unless VENC already put them in the I pack. */
    if (ok && au.keyframe && cam->header_size) {
        int first = nal_type(cam->codec, &au.nals[0]);
        bool has_sets = first == (cam->codec == CAMERA_CODEC_H264 ? NAL_H264_SPS : NAL_H265_VPS);
        struct camera_nal_s sets[CAMERA_MAX_NALS];
        int n = has_sets ? 0 : nal_split_annexb(cam->header, cam->header_size, sets, CAMERA_MAX_NALS);
        ok = n >= 0 && au.nal_count + (size_t)n <= CAMERA_MAX_NALS;
        if (ok && n > 0) {
            memmove(au.nals + n, au.nals, au.nal_count * sizeof(au.nals[0]));
            memcpy(au.nals, sets, (size_t)n * sizeof(sets[0]));
            au.nal_count += (size_t)n;
        }
    }
    if (!ok) {
        fprintf(stderr, "k230: channel %d: a frame of more than %d NAL units or none, dropped\n", cam->chn,
                CAMERA_MAX_NALS);
        k230_camera_request_idr(cam);
        return;
    }
    /* The display's frame is alone in the encoder: its picture has that frame's time. */
    au.pts_us = cam->source == CAMERA_SOURCE_DISPLAY ? cam->frame_pts_us : k230_media_pts_us(frame->pts);
    if (cam->on_au(cam->ctx, &au)) k230_camera_request_idr(cam);
}

/* Takes what VENC has (all packs of the current frame), maps them, delivers, unmaps, releases. */
static void k230_camera_drain_once(struct camera_s *cam, int wait_ms) {
    k_venc_chn_status status;
    memset(&status, 0, sizeof(status));
    k_u32 want = 1;
    if (kd_mpi_venc_query_status((k_u32)cam->chn, &status) == K_SUCCESS && status.cur_packs > 0)
        want = status.cur_packs < K230_CAMERA_MAX_PACKS ? status.cur_packs : K230_CAMERA_MAX_PACKS;
    k_venc_stream stream = {.pack = cam->packs, .pack_cnt = want};
    if (kd_mpi_venc_get_stream((k_u32)cam->chn, &stream, wait_ms) != K_SUCCESS) {
        clock_sleep_until_us(clock_now_us() + 5000); /* a timeout, or a channel being rebuilt */
        return;
    }
    if (stream.pack_cnt > K230_CAMERA_MAX_PACKS) stream.pack_cnt = K230_CAMERA_MAX_PACKS;
    uint8_t *data[K230_CAMERA_MAX_PACKS] = {0};
    bool mapped = true;
    for (k_u32 i = 0; i < stream.pack_cnt; i++) {
        data[i] = kd_mpi_sys_mmap(stream.pack[i].phys_addr, stream.pack[i].len);
        mapped = mapped && data[i];
    }
    if (mapped) k230_camera_deliver(cam, &stream, data);
    else fprintf(stderr, "k230: channel %d: kd_mpi_sys_mmap failed, frame dropped\n", cam->chn);
    for (k_u32 i = 0; i < stream.pack_cnt; i++)
        if (data[i]) kd_mpi_sys_munmap(data[i], stream.pack[i].len);
    k_s32 rc = kd_mpi_venc_release_stream((k_u32)cam->chn, &stream);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_venc_release_stream(%d): 0x%x\n", cam->chn, (unsigned)rc);
    if (!mapped) k230_camera_request_idr(cam);
}

/* One refresh of the display when one is due: taken from the write-back, sent to the encoder, its
 * picture taken out as the camera's are, and the frame given back. Refreshes between two of the
 * stream's frames (a display faster than the stream) go back unencoded. */
static void k230_camera_display_once(struct camera_s *cam) {
    k_video_frame_info frame;
    int64_t now = clock_now_us();
    if (k230_display_take(&frame, K230_CAMERA_WAIT_MS) < 0) {
        if (!cam->said_quiet && now - cam->last_frame_us > K230_DISPLAY_QUIET_US) {
            fprintf(stderr, "k230: no frame from the display's write-back for %d s: does anything show on it?\n",
                    K230_DISPLAY_QUIET_US / 1000000);
            cam->said_quiet = true;
        }
        clock_sleep_until_us(clock_now_us() + 5000); /* a dump that fails at once must not spin */
        return;
    }
    cam->last_frame_us = clock_now_us();
    int64_t pts = k230_display_time_us(&frame, cam->last_frame_us);
    bool fits = frame.v_frame.width == cam->attr.venc_attr.pic_width && frame.v_frame.height == cam->attr.venc_attr.pic_height;
    if (!fits && !cam->said_size) {
        fprintf(stderr, "k230: the display's write-back gives %ux%u, the stream is %ux%u: its frames are left out\n",
                (unsigned)frame.v_frame.width, (unsigned)frame.v_frame.height, (unsigned)cam->attr.venc_attr.pic_width,
                (unsigned)cam->attr.venc_attr.pic_height);
        cam->said_size = true;
    }
    if (fits && (cam->due_us == INT64_MIN || pts >= cam->due_us)) {
        /* The next is due one period on; after a gap (a slow display, a stall), one period after this one. */
        int64_t from = cam->due_us == INT64_MIN || pts - cam->due_us > cam->period_us ? pts : cam->due_us;
        cam->due_us = from + cam->period_us - K230_DISPLAY_EARLY_US;
        cam->frame_pts_us = pts;
        k_s32 rc = kd_mpi_venc_send_frame((k_u32)cam->chn, &frame, K230_CAMERA_WAIT_MS);
        if (rc == K_SUCCESS) {
            k230_camera_drain_once(cam, K230_DISPLAY_ENCODE_MS);
        } else if (!cam->said_send) {
            fprintf(stderr, "k230: kd_mpi_venc_send_frame(%d): 0x%x\n", cam->chn, (unsigned)rc);
            cam->said_send = true;
        }
    }
    k230_display_give_back(&frame);
}

static void *k230_camera_run(void *arg) {
    struct camera_s *cam = arg;
    while (!atomic_load(&cam->stop)) {
        int kbps = atomic_exchange(&cam->pending_kbps, 0);
        if (kbps && k230_camera_rebuild(cam, kbps) < 0) break;
        if (cam->source == CAMERA_SOURCE_DISPLAY) k230_camera_display_once(cam);
        else k230_camera_drain_once(cam, K230_CAMERA_WAIT_MS);
    }
    return NULL;
}

/* The display's channel: VB held (no sensor, no VICAP), the encoder made, then the write-back on. */
static struct camera_s *k230_camera_open_display(struct camera_s *cam, const struct camera_settings_s *s, char *err,
                                                 size_t err_len) {
    cam->chn = K230_DISPLAY_VENC_CHN;
    cam->period_us = 1000000 / s->fps;
    cam->due_us = INT64_MIN;
    cam->last_frame_us = clock_now_us();
    if (k230_media_hold(err, err_len) < 0) goto error_free;
    k230_camera_attr(&cam->attr, s, s->fps);
    if (k230_camera_make_encoder(cam, err, err_len) < 0) goto error_drop;
    if (k230_display_open(s->width, s->height, err, err_len) < 0) goto error_encoder;
    int rc = pthread_create(&cam->thread, NULL, k230_camera_run, cam);
    if (rc) {
        snprintf(err, err_len, "cannot start the display's encoder thread: %s", strerror(rc));
        k230_display_close();
        goto error_encoder;
    }
    return cam;
error_encoder:
    k230_camera_destroy_encoder(cam);
error_drop:
    k230_media_drop();
error_free:
    pthread_mutex_destroy(&cam->lock);
    free(cam);
    return NULL;
}

static struct camera_s *k230_camera_open(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx,
                                         char *err, size_t err_len) {
    if (s->width % 16) {
        snprintf(err, err_len, "the K230 encodes widths that are multiples of 16 (got %d)", s->width);
        return NULL;
    }
    struct camera_s *cam = calloc(1, sizeof(*cam));
    if (!cam) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    cam->source = s->source;
    cam->codec = s->codec;
    cam->on_au = on_au;
    cam->ctx = ctx;
    pthread_mutex_init(&cam->lock, NULL);
    if (s->source == CAMERA_SOURCE_DISPLAY) return k230_camera_open_display(cam, s, err, err_len);
    int sensor_fps;
    if (k230_media_claim(&cam->chn, &sensor_fps, err, err_len) < 0) goto error_free;
    if (s->fps > sensor_fps) {
        snprintf(err, err_len, "the sensor runs at %d fps (asked for %d)", sensor_fps, s->fps);
        goto error_release;
    }
    k230_camera_attr(&cam->attr, s, sensor_fps);
    if (k230_camera_make_encoder(cam, err, err_len) < 0) goto error_release;
    if (k230_media_start(cam->chn, s->width, s->height, err, err_len) < 0) goto error_encoder;
    int rc = pthread_create(&cam->thread, NULL, k230_camera_run, cam);
    if (rc) {
        snprintf(err, err_len, "cannot start the encoder thread: %s", strerror(rc));
        k230_media_stop(cam->chn);
        goto error_encoder;
    }
    return cam;
error_encoder:
    k230_camera_destroy_encoder(cam);
error_release:
    k230_media_release(cam->chn);
error_free:
    pthread_mutex_destroy(&cam->lock);
    free(cam);
    return NULL;
}

static int k230_camera_set_bitrate(struct camera_s *cam, int kbps) {
    atomic_store(&cam->pending_kbps, kbps);
    return 0;
}

static void k230_camera_close(struct camera_s *cam) {
    atomic_store(&cam->stop, true);
    pthread_join(cam->thread, NULL);
    if (cam->source == CAMERA_SOURCE_DISPLAY) {
        k230_display_close();
        k230_camera_destroy_encoder(cam);
        k230_media_drop();
    } else {
        k230_media_stop(cam->chn);
        k230_camera_destroy_encoder(cam);
        k230_media_release(cam->chn);
    }
    pthread_mutex_destroy(&cam->lock);
    free(cam);
}

const struct camera_backend_s camera_backend_k230 = {
    .name = "k230",
    .max_width = K230_MEDIA_MAX_WIDTH,
    .max_height = K230_MEDIA_MAX_HEIGHT,
    .max_fps = K230_MEDIA_MAX_FPS,
    .codecs = (1u << CAMERA_CODEC_H264) | (1u << CAMERA_CODEC_H265),
    .sources = (1u << CAMERA_SOURCE_CAMERA) | (1u << CAMERA_SOURCE_DISPLAY),
    .open = k230_camera_open,
    .request_idr = k230_camera_request_idr,
    .set_bitrate = k230_camera_set_bitrate,
    .close = k230_camera_close,
    .audio = &audio_backend_k230,
};
