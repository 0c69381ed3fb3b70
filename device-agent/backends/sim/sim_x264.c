#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x264.h>

#include "../../src/nal.h"
#include "sim_encoder.h"

struct sim_encoder_s {
    x264_t *enc;
    x264_param_t param;
    x264_picture_t in;
    struct sim_picture_s pic;
    int64_t frame;
};

static const char *sim_x264_profile(enum camera_profile_e p) {
    return p == CAMERA_PROFILE_BASELINE ? "baseline" : p == CAMERA_PROFILE_MAIN ? "main" : "high";
}

static void sim_x264_rate(x264_param_t *p, int kbps, int fps) {
    p->rc.i_rc_method = X264_RC_ABR;
    p->rc.i_bitrate = kbps;
    p->rc.i_vbv_max_bitrate = kbps;
    p->rc.i_vbv_buffer_size = kbps / fps * 2 > 0 ? kbps / fps * 2 : 1; /* two frames of buffer: CBR-like */
}

static struct sim_encoder_s *sim_x264_open(const struct camera_settings_s *s, char *err, size_t err_len) {
    struct sim_encoder_s *e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    x264_param_t *p = &e->param;
    if (x264_param_default_preset(p, "ultrafast", "zerolatency") < 0) goto error;
    p->i_width = s->width;
    p->i_height = s->height;
    p->i_csp = X264_CSP_I420;
    p->i_fps_num = (uint32_t)s->fps;
    p->i_fps_den = 1;
    p->i_keyint_max = s->gop;
    p->i_keyint_min = s->gop;
    p->i_bframe = 0;
    p->i_threads = 1; /* one core, as predictable as a hardware block */
    p->b_repeat_headers = 1;
    p->b_annexb = 1;
    p->i_log_level = X264_LOG_NONE;
    sim_x264_rate(p, s->bitrate_kbps, s->fps);
    if (x264_param_apply_profile(p, sim_x264_profile(s->profile)) < 0) goto error;
    e->enc = x264_encoder_open(p);
    if (!e->enc) goto error;
    if (x264_picture_alloc(&e->in, X264_CSP_I420, s->width, s->height) < 0) goto error;
    for (int i = 0; i < 3; i++) {
        e->pic.plane[i] = e->in.img.plane[i];
        e->pic.stride[i] = e->in.img.i_stride[i];
    }
    e->pic.width = s->width;
    e->pic.height = s->height;
    return e;
error:
    snprintf(err, err_len, "libx264 refused %dx%d@%d %d kbps", s->width, s->height, s->fps, s->bitrate_kbps);
    if (e->enc) x264_encoder_close(e->enc);
    free(e);
    return NULL;
}

static struct sim_picture_s *sim_x264_picture(struct sim_encoder_s *e) { return &e->pic; }

static int sim_x264_encode(struct sim_encoder_s *e, bool force_idr, struct camera_au_s *au) {
    x264_nal_t *nals;
    int count;
    x264_picture_t out;
    e->in.i_pts = e->frame++;
    e->in.i_type = force_idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
    int size = x264_encoder_encode(e->enc, &nals, &count, &e->in, &out);
    if (size < 0) return -1;
    au->nal_count = 0;
    au->keyframe = out.b_keyframe != 0;
    if (size == 0) return 0;
    /* x264 lays its NAL units out back to back, start codes included. */
    int n = nal_split_annexb(nals[0].p_payload, (size_t)size, au->nals, CAMERA_MAX_NALS);
    if (n < 0) return -1;
    au->nal_count = (size_t)n;
    return 0;
}

static int sim_x264_set_bitrate(struct sim_encoder_s *e, int kbps) {
    sim_x264_rate(&e->param, kbps, (int)e->param.i_fps_num);
    return x264_encoder_reconfig(e->enc, &e->param) < 0 ? -1 : 0;
}

static void sim_x264_close(struct sim_encoder_s *e) {
    x264_picture_clean(&e->in);
    x264_encoder_close(e->enc);
    free(e);
}

const struct sim_encoder_ops_s sim_encoder_x264 = {
    sim_x264_open, sim_x264_picture, sim_x264_encode, sim_x264_set_bitrate, sim_x264_close,
};
