/* The shared pipeline: VB pools, the sensor, VICAP with one NV12 output channel per encoder.
 * Names and fields are the K230 SDK's MPP (src/big/mpp in kendryte/k230_sdk); see docs/hardware.md. */
#include "k230_media.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/clock.h"
#include "k_module.h"
#include "k_type.h"
#include "k_vb_comm.h"
#include "k_vicap_comm.h"
#include "k_video_comm.h"
#include "mpi_sensor_api.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_vicap_api.h"

#define K230_MEDIA_FRAME_BUFS 4 /* VICAP output buffers per channel (CanMV's MicroPython: 4..6) */
#define K230_MEDIA_ALIGN_SHIFT 12 /* VICAP buffer alignment 2^12: VENC wants NV12 planes on 4 KiB */
/* Build-time choices (make K230_DEFS=-D...), overridden by environment variables of the same names where
 * a shell can set them (RT-Smart's msh cannot): the CSI port, and a sensor type instead of the probe. */
#ifndef K230_CAMERA_CSI
#define K230_CAMERA_CSI (-1) /* probe the board's default port first, then the others */
#endif
#ifndef K230_CAMERA_SENSOR_TYPE
#define K230_CAMERA_SENSOR_TYPE (-1) /* probe */
#endif
/* The board's camera connector: canmv_k230 board configs say CSI2 (k_autoconf_comm.h), CanMV-K230 v1 CSI0. */
#if defined(CONFIG_MPP_DEFAULT_SENSOR_CSI_2)
#define K230_MEDIA_DEFAULT_CSI 2
#elif defined(CONFIG_MPP_DEFAULT_SENSOR_CSI_1)
#define K230_MEDIA_DEFAULT_CSI 1
#else
#define K230_MEDIA_DEFAULT_CSI 0
#endif

struct k230_media_channel_s {
    bool claimed, started;
    int width, height;
};

static struct {
    pthread_mutex_t lock;
    int claims;
    int vb_holders; /* the claims and the display */
    bool vb_owned; /* we configured and initialised VB; false when another program already had */
    bool sensor_ready;
    k_vicap_dev dev;
    k_vicap_sensor_info sensor;
    k_vicap_mirror mirror;
    bool vicap_running;
    struct k230_media_channel_s chn[K230_MEDIA_MAX_CHANNELS];
} k230_media = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* VENC pts to CLOCK_MONOTONIC; INT64_MIN until the first frame. Lock-free: a VICAP restart holds the lock. */
static _Atomic int64_t k230_media_pts_offset_us = K230_MEDIA_OFFSET_UNSET;

/* NV12 with the UV plane also starting on a 4 KiB boundary. */
static size_t k230_media_frame_size(size_t width, size_t height) {
    return K230_MEDIA_ALIGN_4K(width * height) + K230_MEDIA_ALIGN_4K(width * height / 2);
}

static int k230_media_env_int(const char *name, int fallback, int min, int max) {
    const char *v = getenv(name);
    if (!v || !*v) return fallback;
    char *end;
    long n = strtol(v, &end, 0);
    if (*end || n < min || n > max) {
        fprintf(stderr, "k230: ignoring %s=%s (want %d..%d)\n", name, v, min, max);
        return fallback;
    }
    return (int)n;
}

/* Three common pools, every block of one size each, so VICAP, VENC and the microphone (ai and aenc
 * frames, k230_audio.c) cannot take each other's. */
static int k230_media_vb_init(char *err, size_t err_len) {
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = VB_MAX_COMM_POOLS;
    config.comm_pool[0].blk_size = k230_media_frame_size(K230_MEDIA_MAX_WIDTH, K230_MEDIA_MAX_HEIGHT);
    config.comm_pool[0].blk_cnt = K230_MEDIA_FRAME_BUFS * K230_MEDIA_MAX_CHANNELS + K230_MEDIA_WBC_BUFS;
    config.comm_pool[0].mode = VB_REMAP_MODE_NOCACHE;
    config.comm_pool[1].blk_size = K230_MEDIA_STREAM_BUF_SIZE;
    config.comm_pool[1].blk_cnt = K230_MEDIA_STREAM_BUFS * (K230_MEDIA_MAX_CHANNELS + K230_MEDIA_DISPLAY_CHANNELS);
    config.comm_pool[1].mode = VB_REMAP_MODE_NOCACHE;
    config.comm_pool[2].blk_size = K230_MEDIA_AUDIO_BUF_SIZE;
    config.comm_pool[2].blk_cnt = K230_MEDIA_AUDIO_BUFS;
    config.comm_pool[2].mode = VB_REMAP_MODE_NOCACHE;
    k_s32 rc = kd_mpi_vb_set_config(&config);
    if (rc != K_SUCCESS) {
        /* VB is configured once per boot: MicroPython's MediaManager may have done it (and not undone). */
        fprintf(stderr, "k230: kd_mpi_vb_set_config: 0x%x; using the VB pools already configured\n", (unsigned)rc);
        k230_media.vb_owned = false;
        return 0;
    }
    rc = kd_mpi_vb_init();
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_vb_init failed (0x%x)", (unsigned)rc);
        return -1;
    }
    k230_media.vb_owned = true;
    return 0;
}

static void k230_media_vb_exit(void) {
    if (!k230_media.vb_owned) return;
    k_s32 rc = kd_mpi_vb_exit();
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_vb_exit: 0x%x\n", (unsigned)rc);
    k230_media.vb_owned = false;
}

/* The lock held: the first holder sets VB up, the last one out frees it. */
static int k230_media_vb_hold(char *err, size_t err_len) {
    if (k230_media.vb_holders == 0 && k230_media_vb_init(err, err_len) < 0) return -1;
    k230_media.vb_holders++;
    return 0;
}

static void k230_media_vb_drop(void) {
    if (--k230_media.vb_holders == 0) k230_media_vb_exit();
}

int k230_media_hold(char *err, size_t err_len) {
    pthread_mutex_lock(&k230_media.lock);
    int rc = k230_media_vb_hold(err, err_len);
    pthread_mutex_unlock(&k230_media.lock);
    return rc;
}

void k230_media_drop(void) {
    pthread_mutex_lock(&k230_media.lock);
    k230_media_vb_drop();
    pthread_mutex_unlock(&k230_media.lock);
}

/* Asks the SDK which sensor answers on a CSI port, in a mode of at least 1920x1080. */
static bool k230_media_probe(int csi) {
    k_vicap_probe_config probe;
    memset(&probe, 0, sizeof(probe));
    probe.csi_num = VICAP_CSI0 + (k_u32)csi;
    probe.width = K230_MEDIA_MAX_WIDTH;
    probe.height = K230_MEDIA_MAX_HEIGHT;
    probe.fps = K230_MEDIA_MAX_FPS;
    if (kd_mpi_sensor_adapt_get(&probe, &k230_media.sensor) != K_SUCCESS) return false;
    k230_media.mirror = (k_vicap_mirror)probe.mirror;
    return true;
}

/* K230_CAMERA_CSI picks the port (else the board's default first, then the others);
 * K230_CAMERA_SENSOR_TYPE (a k_vicap_sensor_type of the SDK the agent was built with) skips the probe. */
static int k230_media_find_sensor(char *err, size_t err_len) {
    int csi = k230_media_env_int("K230_CAMERA_CSI", K230_CAMERA_CSI, 0, 2);
    int type = k230_media_env_int("K230_CAMERA_SENSOR_TYPE", K230_CAMERA_SENSOR_TYPE, 0, SENSOR_TYPE_MAX - 1);
    memset(&k230_media.sensor, 0, sizeof(k230_media.sensor));
    k230_media.mirror = VICAP_MIRROR_NONE;
    if (type >= 0) {
        if (csi < 0) csi = K230_MEDIA_DEFAULT_CSI;
        k_s32 rc = kd_mpi_vicap_get_sensor_info((k_vicap_sensor_type)type, &k230_media.sensor);
        if (rc != K_SUCCESS) {
            snprintf(err, err_len, "sensor type %d is unknown to this build's SDK (0x%x)", type, (unsigned)rc);
            return -1;
        }
    } else if (csi >= 0) {
        if (!k230_media_probe(csi)) {
            snprintf(err, err_len, "no camera sensor answers on CSI%d", csi);
            return -1;
        }
    } else {
        const int d = K230_MEDIA_DEFAULT_CSI, order[3] = {d, d == 2 ? 0 : 2, d == 1 ? 0 : 1};
        for (int i = 0; i < 3 && csi < 0; i++)
            if (k230_media_probe(order[i])) csi = order[i];
        if (csi < 0) {
            snprintf(err, err_len, "no camera sensor answers on CSI0, 1 or 2 (K230_CAMERA_SENSOR_TYPE names one)");
            return -1;
        }
    }
    k230_media.dev = (k_vicap_dev)(VICAP_DEV_ID_0 + csi); /* VICAP device n serves CSI n, as in CanMV */
    fprintf(stderr, "k230: sensor %s, %ux%u at %u fps, CSI%d\n",
            k230_media.sensor.sensor_name ? k230_media.sensor.sensor_name : "?", (unsigned)k230_media.sensor.width,
            (unsigned)k230_media.sensor.height, (unsigned)k230_media.sensor.fps, csi);
    k230_media.sensor_ready = true;
    return 0;
}

static void k230_media_vicap_halt(void) {
    if (!k230_media.vicap_running) return;
    k_s32 rc = kd_mpi_vicap_stop_stream(k230_media.dev);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_vicap_stop_stream: 0x%x\n", (unsigned)rc);
    rc = kd_mpi_vicap_deinit(k230_media.dev);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_vicap_deinit: 0x%x\n", (unsigned)rc);
    k230_media.vicap_running = false;
}

/* The device attributes as CanMV's MicroPython sets them: online mode, ISP on but AF, HDR and 3DNR. */
static void k230_media_dev_attr(k_vicap_dev_attr *a) {
    memset(a, 0, sizeof(*a));
    a->acq_win.width = k230_media.sensor.width;
    a->acq_win.height = k230_media.sensor.height;
    a->mode = VICAP_WORK_ONLINE_MODE;
    a->input_type = VICAP_INPUT_TYPE_SENSOR;
    a->pipe_ctrl.data = 0xffffffff;
    a->pipe_ctrl.bits.af_enable = 0;
    a->pipe_ctrl.bits.ahdr_enable = 0;
    a->pipe_ctrl.bits.dnr3_enable = 0;
    a->dw_enable = K_FALSE;
    a->cpature_frame = 0; /* sic: the SDK's field name; 0 = capture continuously */
    a->sensor_info = k230_media.sensor;
    a->dev_enable = K_TRUE;
    a->mirror = k230_media.mirror;
}

static void k230_media_chn_attr(const struct k230_media_channel_s *c, k_vicap_chn_attr *a) {
    memset(a, 0, sizeof(*a));
    a->out_win.width = (k_u16)c->width;
    a->out_win.height = (k_u16)c->height;
    a->crop_win = a->out_win;
    a->scale_win = a->out_win;
    a->crop_enable = K_FALSE;
    a->scale_enable = K_FALSE;
    a->chn_enable = K_TRUE;
    a->pix_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
    a->buffer_num = K230_MEDIA_FRAME_BUFS;
    a->buffer_size = (k_u32)k230_media_frame_size(K230_MEDIA_MAX_WIDTH, K230_MEDIA_MAX_HEIGHT);
    a->alignment = K230_MEDIA_ALIGN_SHIFT;
    a->fps = 0; /* the sensor's rate; VENC's src/dst frame rates drop frames per channel */
}

/* Sets up and starts VICAP with every started channel; its channels cannot change while it runs. */
static int k230_media_vicap_run(char *err, size_t err_len) {
    bool any = false;
    for (int i = 0; i < K230_MEDIA_MAX_CHANNELS; i++) any = any || k230_media.chn[i].started;
    if (!any) return 0;
    k_vicap_dev_attr dev_attr;
    k230_media_dev_attr(&dev_attr);
    k_s32 rc = kd_mpi_vicap_set_dev_attr(k230_media.dev, dev_attr);
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_vicap_set_dev_attr failed (0x%x)", (unsigned)rc);
        return -1;
    }
    for (int i = 0; i < K230_MEDIA_MAX_CHANNELS; i++) {
        if (!k230_media.chn[i].started) continue;
        k_vicap_chn_attr chn_attr;
        k230_media_chn_attr(&k230_media.chn[i], &chn_attr);
        rc = kd_mpi_vicap_set_chn_attr(k230_media.dev, (k_vicap_chn)(VICAP_CHN_ID_0 + i), chn_attr);
        if (rc != K_SUCCESS) {
            snprintf(err, err_len, "kd_mpi_vicap_set_chn_attr(%d) failed (0x%x)", i, (unsigned)rc);
            return -1;
        }
    }
    rc = kd_mpi_vicap_init(k230_media.dev);
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_vicap_init failed (0x%x)", (unsigned)rc);
        return -1;
    }
    rc = kd_mpi_vicap_start_stream(k230_media.dev);
    if (rc != K_SUCCESS) {
        kd_mpi_vicap_deinit(k230_media.dev);
        snprintf(err, err_len, "kd_mpi_vicap_start_stream failed (0x%x)", (unsigned)rc);
        return -1;
    }
    k230_media.vicap_running = true;
    return 0;
}

/* VICAP output channel n feeds VENC channel n: {K_ID_VI, device, n} -> {K_ID_VENC, 0, n}. */
static int k230_media_link(int chn, bool on) {
    k_mpp_chn src = {.mod_id = K_ID_VI, .dev_id = (k_s32)k230_media.dev, .chn_id = chn};
    k_mpp_chn dst = {.mod_id = K_ID_VENC, .dev_id = 0, .chn_id = chn};
    k_s32 rc = on ? kd_mpi_sys_bind(&src, &dst) : kd_mpi_sys_unbind(&src, &dst);
    if (rc != K_SUCCESS) {
        fprintf(stderr, "k230: kd_mpi_sys_%s(VICAP %d.%d, VENC %d): 0x%x\n", on ? "bind" : "unbind",
                (int)k230_media.dev, chn, chn, (unsigned)rc);
        return -1;
    }
    return 0;
}

int k230_media_claim(int *chn, int *sensor_fps, char *err, size_t err_len) {
    pthread_mutex_lock(&k230_media.lock);
    int free_chn = -1;
    for (int i = K230_MEDIA_MAX_CHANNELS - 1; i >= 0; i--)
        if (!k230_media.chn[i].claimed) free_chn = i;
    if (free_chn < 0) {
        snprintf(err, err_len, "the board already encodes %d streams", K230_MEDIA_MAX_CHANNELS);
        goto error;
    }
    if (k230_media_vb_hold(err, err_len) < 0) goto error;
    if (!k230_media.sensor_ready && k230_media_find_sensor(err, err_len) < 0) {
        k230_media_vb_drop();
        goto error;
    }
    k230_media.chn[free_chn] = (struct k230_media_channel_s){.claimed = true};
    k230_media.claims++;
    *chn = free_chn;
    *sensor_fps = k230_media.sensor.fps ? k230_media.sensor.fps : K230_MEDIA_MAX_FPS;
    pthread_mutex_unlock(&k230_media.lock);
    return 0;
error:
    pthread_mutex_unlock(&k230_media.lock);
    return -1;
}

int k230_media_start(int chn, int width, int height, char *err, size_t err_len) {
    pthread_mutex_lock(&k230_media.lock);
    int rc = -1;
    if (width > k230_media.sensor.width || height > k230_media.sensor.height) {
        snprintf(err, err_len, "the sensor gives at most %ux%u", (unsigned)k230_media.sensor.width,
                 (unsigned)k230_media.sensor.height);
        goto done;
    }
    k230_media_vicap_halt();
    if (k230_media_link(chn, true) == 0) {
        k230_media.chn[chn].started = true;
        k230_media.chn[chn].width = width;
        k230_media.chn[chn].height = height;
        rc = k230_media_vicap_run(err, err_len);
        if (rc < 0) {
            k230_media.chn[chn].started = false;
            k230_media_link(chn, false);
        }
    } else {
        snprintf(err, err_len, "cannot bind VICAP to VENC channel %d", chn);
    }
    if (rc < 0) {
        char again[160];
        if (k230_media_vicap_run(again, sizeof(again)) < 0) fprintf(stderr, "k230: %s\n", again);
    }
done:
    pthread_mutex_unlock(&k230_media.lock);
    return rc;
}

void k230_media_stop(int chn) {
    pthread_mutex_lock(&k230_media.lock);
    if (k230_media.chn[chn].started) {
        k230_media_vicap_halt();
        k230_media_link(chn, false);
        k230_media.chn[chn].started = false;
        char err[160];
        if (k230_media_vicap_run(err, sizeof(err)) < 0) fprintf(stderr, "k230: %s\n", err);
    }
    pthread_mutex_unlock(&k230_media.lock);
}

void k230_media_release(int chn) {
    pthread_mutex_lock(&k230_media.lock);
    if (k230_media.chn[chn].claimed) {
        k230_media.chn[chn].claimed = false;
        k230_media.claims--;
        k230_media_vb_drop();
    }
    pthread_mutex_unlock(&k230_media.lock);
}

int k230_media_unbind(int chn) {
    pthread_mutex_lock(&k230_media.lock);
    int rc = k230_media_link(chn, false);
    pthread_mutex_unlock(&k230_media.lock);
    return rc;
}

int k230_media_bind(int chn) {
    pthread_mutex_lock(&k230_media.lock);
    int rc = k230_media_link(chn, true);
    pthread_mutex_unlock(&k230_media.lock);
    return rc;
}

/* The SDK documents pts in microseconds, not its clock: when the first one is not within 2 s before
 * CLOCK_MONOTONIC's now, every pts is moved by the difference measured on that first frame. */
int64_t k230_media_stamp_us(_Atomic int64_t *offset_us, uint64_t stamp_us, const char *what) {
    int64_t offset = atomic_load(offset_us);
    if (offset == K230_MEDIA_OFFSET_UNSET) {
        int64_t behind = clock_now_us() - (int64_t)stamp_us;
        int64_t mine = behind >= 0 && behind < 2000000 ? 0 : behind;
        if (atomic_compare_exchange_strong(offset_us, &offset, mine)) {
            offset = mine;
            if (mine) fprintf(stderr, "k230: %s are not on CLOCK_MONOTONIC; moved by %lld us\n", what, (long long)mine);
        }
    }
    return (int64_t)stamp_us + offset;
}

int64_t k230_media_pts_us(uint64_t venc_pts_us) {
    return k230_media_stamp_us(&k230_media_pts_offset_us, venc_pts_us, "VENC pts");
}
