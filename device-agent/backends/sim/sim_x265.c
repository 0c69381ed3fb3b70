#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x265.h>

#include "../../src/nal.h"
#include "sim_encoder.h"

struct sim_encoder_s {
    x265_encoder *enc;
    x265_param *param;
    x265_picture *in;
    uint8_t *planes;
    struct sim_picture_s pic;
    int64_t frame;
};

static void sim_x265_rate(x265_param *p, int kbps, int fps) {
    p->rc.rateControlMode = X265_RC_ABR;
    p->rc.bitrate = kbps;
    p->rc.vbvMaxBitrate = kbps;
    p->rc.vbvBufferSize = kbps / fps * 2 > 0 ? kbps / fps * 2 : 1;
}

static void sim_x265_free(struct sim_encoder_s *e) {
    if (e->enc) x265_encoder_close(e->enc);
    if (e->in) x265_picture_free(e->in);
    if (e->param) x265_param_free(e->param);
    free(e->planes);
    free(e);
}

static struct sim_encoder_s *sim_x265_open(const struct camera_settings_s *s, char *err, size_t err_len) {
    struct sim_encoder_s *e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    e->param = x265_param_alloc();
    if (!e->param || x265_param_default_preset(e->param, "ultrafast", "zerolatency") < 0) goto error;
    x265_param *p = e->param;
    p->sourceWidth = s->width;
    p->sourceHeight = s->height;
    p->internalCsp = X265_CSP_I420;
    p->fpsNum = (uint32_t)s->fps;
    p->fpsDenom = 1;
    p->keyframeMax = s->gop;
    p->keyframeMin = s->gop;
    p->bOpenGOP = 0;
    p->bframes = 0;
    p->bRepeatHeaders = 1;
    p->bAnnexB = 1;
    p->logLevel = X265_LOG_NONE;
    p->frameNumThreads = 1;
    sim_x265_rate(p, s->bitrate_kbps, s->fps);
    if (x265_param_apply_profile(p, "main") < 0) goto error;
    e->enc = x265_encoder_open(p);
    if (!e->enc) goto error;
    e->in = x265_picture_alloc();
    if (!e->in) goto error;
    x265_picture_init(p, e->in);
    size_t luma = (size_t)s->width * (size_t)s->height;
    e->planes = malloc(luma * 3 / 2);
    if (!e->planes) goto error;
    e->pic.plane[0] = e->planes;
    e->pic.plane[1] = e->planes + luma;
    e->pic.plane[2] = e->planes + luma + luma / 4;
    e->pic.stride[0] = s->width;
    e->pic.stride[1] = e->pic.stride[2] = s->width / 2;
    e->pic.width = s->width;
    e->pic.height = s->height;
    for (int i = 0; i < 3; i++) {
        e->in->planes[i] = e->pic.plane[i];
        e->in->stride[i] = e->pic.stride[i];
    }
    return e;
error:
    snprintf(err, err_len, "libx265 refused %dx%d@%d %d kbps", s->width, s->height, s->fps, s->bitrate_kbps);
    sim_x265_free(e);
    return NULL;
}

static struct sim_picture_s *sim_x265_picture(struct sim_encoder_s *e) { return &e->pic; }

static int sim_x265_encode(struct sim_encoder_s *e, bool force_idr, struct camera_au_s *au) {
    x265_nal *nals;
    uint32_t count;
    e->in->pts = e->frame++;
    e->in->sliceType = force_idr ? X265_TYPE_IDR : X265_TYPE_AUTO;
    int got = x265_encoder_encode(e->enc, &nals, &count, e->in, NULL);
    if (got < 0) return -1;
    au->nal_count = 0;
    au->keyframe = false;
    for (uint32_t i = 0; i < count; i++) {
        int n = nal_split_annexb(nals[i].payload, nals[i].sizeBytes, au->nals + au->nal_count,
                                 CAMERA_MAX_NALS - au->nal_count);
        if (n < 0) return -1;
        au->nal_count += (size_t)n;
        if (nals[i].type == NAL_H265_IDR_W_RADL || nals[i].type == NAL_H265_IDR_N_LP) au->keyframe = true;
    }
    return 0;
}

static int sim_x265_set_bitrate(struct sim_encoder_s *e, int kbps) {
    sim_x265_rate(e->param, kbps, (int)e->param->fpsNum);
    return x265_encoder_reconfig(e->enc, e->param) < 0 ? -1 : 0;
}

const struct sim_encoder_ops_s sim_encoder_x265 = {
    sim_x265_open, sim_x265_picture, sim_x265_encode, sim_x265_set_bitrate, sim_x265_free,
};
