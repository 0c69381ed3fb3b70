/* The K230 microphone: the inner codec's mic on audio input device 0 (I2S), mono, 16-bit, read a
 * 20 ms frame at a time (kd_mpi_ai_get_frame) and given to one AENC channel per open input
 * (kd_mpi_aenc_send_frame / kd_mpi_aenc_get_stream) for G.711; one thread reads and delivers for
 * every open input (two readers of one ai channel would share out its frames). Names and fields are the K230 SDK's
 * MPP (src/big/mpp in kendryte/k230_sdk); see docs/hardware.md, "The microphone (ai + aenc)".
 * Nothing here has run on a board. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/audio.h"
#include "../../src/clock.h"
#include "k_aenc_comm.h"
#include "k_ai_comm.h"
#include "k_audio_comm.h"
#include "k_payload_comm.h"
#include "k_type.h"
#include "mpi_aenc_api.h"
#include "mpi_ai_api.h"
#include "mpi_sys_api.h"

/* What CanMV's MicroPython opens for PyAudio().open(input=True) (media/pyaudio.py): device 0, I2S into
 * the inner codec, channel 0; mono takes the codec's mic input (KD_I2S_IN_MONO_RIGHT_CHANNEL). Device 1
 * (PDM) wants PDM microphones on pins FPIOA routes first (CanMV's audio_pdm.py example, for one board). */
#define K230_AUDIO_DEV AI_DEV_I2S
#define K230_AUDIO_AI_CHN 0
#define K230_AUDIO_MAX_OPEN 2    /* live preview and a board recording, as the camera */
#define K230_AUDIO_FRAMES 10     /* ai frame buffers (frame_num, 2..50): 200 ms of slack for this thread */
#define K230_AUDIO_AENC_BUFS 5   /* AENC stream buffers per channel (CanMV's media/g711.py: 5) */
#define K230_AUDIO_WAIT_MS 100   /* a get_frame / get_stream wait: how soon the thread sees a stop */
#define K230_AUDIO_QUIET_WAITS 10 /* get_frame failures in a row (1 s) before saying the input is silent */
#define K230_AUDIO_MAX_GAP 50    /* frames lost at once that are still counted (1 s); more: a restart */
#define K230_AUDIO_CREEP_US 1    /* per chunk (50 ppm): how fast the software clock's offset may rise */
/* The audio time stamps are taken as the camera's VENC pts are (k230_media_pts_us): on CLOCK_MONOTONIC
 * when the first is within this much before now, else moved by the difference on the first frame. */
#define K230_AUDIO_SAME_CLOCK_US 2000000
#define K230_AUDIO_STALE_US 3000000 /* a stamp this long before now is not of this frame: count samples */

struct audio_s {
    int chn; /* AENC channel, 0..K230_AUDIO_MAX_OPEN-1 */
    enum audio_codec_e codec;
    audio_on_chunk_fn on_chunk;
    void *ctx;
    unsigned warned; /* K230_AUDIO_WARN_* already printed for this input */
};

#define K230_AUDIO_WARN_SEND 1u
#define K230_AUDIO_WARN_GET 2u
#define K230_AUDIO_WARN_SIZE 4u
#define K230_AUDIO_WARN_MAP 8u

/* Stamps 20 ms frames. The ai driver stamps each frame with the STC (the SoC's time stamp counter,
 * 0x91108000, which VICAP stamps its frames from too) read in the interrupt that ends the frame's DMA:
 * the time of its last sample, in microseconds as the SDK's sample_audio prints them. Used when two
 * frames' stamps lie as far apart as their seq numbers say; else the samples are counted instead, tied
 * to CLOCK_MONOTONIC by the least lateness seen (allowed to creep up, for a slow sample clock). Either
 * way the pts keep to a 20 ms grid and are moved by at most a sample a chunk towards the measure. */
struct k230_audio_clock_s {
    int64_t chunk_us;  /* AUDIO_CHUNK_US */
    int64_t sample_us; /* one sample, rounded down: the grid's largest step */
    bool started;      /* a frame has been stamped since the input started */
    bool counting;     /* the stamps did not fit: samples are counted */
    bool set_offset;   /* this run fixed k230_audio.offset_us, from a stamp not yet known good */
    k_u32 last_seq;
    k_u64 last_stamp;
    int64_t frames; /* frames since the first, lost ones counted */
    bool have_lateness;
    int64_t lateness_us; /* counting: CLOCK_MONOTONIC minus the counted end of a frame, the least seen */
    int64_t next_pts_us;
};

static struct {
    pthread_mutex_t life; /* open and close, one at a time */
    pthread_mutex_t lock; /* the inputs, against the thread delivering to them */
    struct audio_s *open[K230_AUDIO_MAX_OPEN];
    int count;
    int rate; /* the device's rate while any input is open */
    size_t samples;
    pthread_t thread;
    atomic_bool stop;
    bool chn_enabled, dev_enabled;
    struct k230_audio_clock_s clock; /* the thread's */
    bool have_offset;                /* for the life of the process, as the camera's */
    int64_t offset_us;               /* STC microseconds to CLOCK_MONOTONIC */
} k230_audio = {.life = PTHREAD_MUTEX_INITIALIZER, .lock = PTHREAD_MUTEX_INITIALIZER};

/* An STC stamp (microseconds) on CLOCK_MONOTONIC, by the camera's rule (k230_media_pts_us), so that
 * pictures and sound on the same counter are moved alike. */
static int64_t k230_audio_stc_us(k_u64 stamp, int64_t now) {
    if (!k230_audio.have_offset) {
        int64_t behind = now - (int64_t)stamp;
        k230_audio.offset_us = behind >= 0 && behind < K230_AUDIO_SAME_CLOCK_US ? 0 : behind;
        k230_audio.have_offset = true;
        k230_audio.clock.set_offset = true;
        if (k230_audio.offset_us)
            fprintf(stderr, "k230: audio time stamps are not on CLOCK_MONOTONIC; moved by %lld us\n",
                    (long long)k230_audio.offset_us);
    }
    return (int64_t)stamp + k230_audio.offset_us;
}

static void k230_audio_count_samples(struct k230_audio_clock_s *c, const char *why) {
    if (c->counting) return;
    fprintf(stderr, "k230: %s; counting samples instead\n", why);
    c->counting = true;
    if (c->set_offset) k230_audio.have_offset = false; /* the next input measures it again */
}

/* The pts of the first sample of a frame kd_mpi_ai_get_frame gave at now. */
static int64_t k230_audio_stamp(struct k230_audio_clock_s *c, const k_audio_frame *f, int64_t now) {
    int64_t gap = 1;
    if (c->started) {
        k_u32 d = f->seq - c->last_seq;
        if (d >= 1 && d <= K230_AUDIO_MAX_GAP) gap = d;
        int64_t apart = (int64_t)(f->time_stamp - c->last_stamp), want = gap * c->chunk_us;
        if (!c->counting && (apart < want - want / 4 || apart > want + want / 4)) {
            char why[120];
            snprintf(why, sizeof(why), "audio time stamps %lld us apart for %lld frames of %lld us",
                     (long long)apart, (long long)gap, (long long)c->chunk_us);
            k230_audio_count_samples(c, why);
        } else if (!c->counting) {
            c->set_offset = false; /* the stamps keep time: the offset taken from them stands */
        }
        c->frames += gap;
        c->next_pts_us += (gap - 1) * c->chunk_us; /* lost frames leave their time empty */
    }
    c->last_seq = f->seq;
    c->last_stamp = f->time_stamp;
    int64_t end = 0;
    if (!c->counting) {
        end = k230_audio_stc_us(f->time_stamp, now);
        if (end > now + c->chunk_us || end < now - K230_AUDIO_STALE_US) {
            char why[120];
            snprintf(why, sizeof(why), "an audio time stamp %lld us from now", (long long)(end - now));
            k230_audio_count_samples(c, why);
        }
    }
    if (c->counting) {
        int64_t counted = (c->frames + 1) * c->chunk_us, late = now - counted;
        if (!c->have_lateness || late < c->lateness_us) c->lateness_us = late;
        else if (c->lateness_us + K230_AUDIO_CREEP_US <= late) c->lateness_us += K230_AUDIO_CREEP_US;
        c->have_lateness = true;
        end = counted + c->lateness_us;
    }
    int64_t measured = end - c->chunk_us, off = measured - c->next_pts_us, pts;
    if (!c->started || off > c->chunk_us / 2 || off < -c->chunk_us / 2) pts = measured;
    else if (off > c->sample_us) pts = c->next_pts_us + c->sample_us;
    else if (off < -c->sample_us) pts = c->next_pts_us - c->sample_us;
    else pts = c->next_pts_us;
    c->next_pts_us = pts + c->chunk_us;
    c->started = true;
    return pts;
}

static void k230_audio_warn(struct audio_s *a, unsigned what, const char *fn, k_s32 rc) {
    if (a->warned & what) return;
    a->warned |= what;
    fprintf(stderr, "k230: AENC channel %d: %s: 0x%x; chunks dropped\n", a->chn, fn, (unsigned)rc);
}

/* One frame through one input's AENC channel to its on_chunk. */
static void k230_audio_encode(struct audio_s *a, const k_audio_frame *frame, int64_t pts_us, size_t samples) {
    k_s32 rc = kd_mpi_aenc_send_frame((k_aenc_chn)a->chn, frame);
    if (rc != K_SUCCESS) {
        k230_audio_warn(a, K230_AUDIO_WARN_SEND, "kd_mpi_aenc_send_frame", rc);
        return;
    }
    k_audio_stream stream;
    memset(&stream, 0, sizeof(stream));
    rc = kd_mpi_aenc_get_stream((k_aenc_chn)a->chn, &stream, K230_AUDIO_WAIT_MS);
    if (rc != K_SUCCESS) {
        k230_audio_warn(a, K230_AUDIO_WARN_GET, "kd_mpi_aenc_get_stream", rc);
        return;
    }
    if (stream.len != samples) { /* G.711: a byte a sample, so a frame of other than one channel */
        if (!(a->warned & K230_AUDIO_WARN_SIZE))
            fprintf(stderr, "k230: AENC channel %d gave %u bytes for %zu samples; chunks dropped\n", a->chn,
                    (unsigned)stream.len, samples);
        a->warned |= K230_AUDIO_WARN_SIZE;
    } else {
        uint8_t *data = kd_mpi_sys_mmap(stream.phys_addr, stream.len);
        if (data) {
            a->on_chunk(a->ctx, &(struct audio_chunk_s){.pts_us = pts_us, .data = data, .samples = samples});
            kd_mpi_sys_munmap(data, stream.len);
        } else if (!(a->warned & K230_AUDIO_WARN_MAP)) {
            fprintf(stderr, "k230: AENC channel %d: kd_mpi_sys_mmap failed; chunks dropped\n", a->chn);
            a->warned |= K230_AUDIO_WARN_MAP;
        }
    }
    rc = kd_mpi_aenc_release_stream((k_aenc_chn)a->chn, &stream);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_aenc_release_stream(%d): 0x%x\n", a->chn, (unsigned)rc);
}

static void *k230_audio_run(void *arg) {
    (void)arg;
    size_t samples = k230_audio.samples;
    int quiet = 0;
    bool wrong_size = false;
    while (!atomic_load(&k230_audio.stop)) {
        k_audio_frame frame;
        memset(&frame, 0, sizeof(frame));
        k_s32 rc = kd_mpi_ai_get_frame(K230_AUDIO_DEV, K230_AUDIO_AI_CHN, &frame, K230_AUDIO_WAIT_MS);
        if (rc != K_SUCCESS) {
            if (++quiet == K230_AUDIO_QUIET_WAITS)
                fprintf(stderr, "k230: no sound from the microphone for 1 s (kd_mpi_ai_get_frame: 0x%x)\n",
                        (unsigned)rc);
            clock_sleep_until_us(clock_now_us() + 5000); /* a timeout, or an error that would not wait */
            continue;
        }
        quiet = 0;
        int64_t pts_us = k230_audio_stamp(&k230_audio.clock, &frame, clock_now_us());
        if (frame.len == samples * 2) { /* mono, 16-bit: what AENC's G.711 takes */
            pthread_mutex_lock(&k230_audio.lock);
            for (int i = 0; i < K230_AUDIO_MAX_OPEN; i++)
                if (k230_audio.open[i]) k230_audio_encode(k230_audio.open[i], &frame, pts_us, samples);
            pthread_mutex_unlock(&k230_audio.lock);
        } else if (!wrong_size) {
            fprintf(stderr, "k230: the microphone gave a %u-byte frame for %zu samples; dropped\n",
                    (unsigned)frame.len, samples);
            wrong_size = true;
        }
        rc = kd_mpi_ai_release_frame(K230_AUDIO_DEV, K230_AUDIO_AI_CHN, &frame);
        if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_ai_release_frame: 0x%x\n", (unsigned)rc);
    }
    return NULL;
}

static void k230_audio_halt(void) {
    if (k230_audio.chn_enabled) {
        k_s32 rc = kd_mpi_ai_disable_chn(K230_AUDIO_DEV, K230_AUDIO_AI_CHN);
        if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_ai_disable_chn: 0x%x\n", (unsigned)rc);
        k230_audio.chn_enabled = false;
    }
    if (k230_audio.dev_enabled) {
        k_s32 rc = kd_mpi_ai_disable(K230_AUDIO_DEV);
        if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_ai_disable: 0x%x\n", (unsigned)rc);
        k230_audio.dev_enabled = false;
    }
}

/* Starts the device at a rate and the thread that reads it. */
static int k230_audio_start(int rate, char *err, size_t err_len) {
    size_t samples = audio_chunk_samples(rate);
    k_aio_dev_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.audio_type = KD_AUDIO_INPUT_TYPE_I2S;
    attr.avsync = K_FALSE;
    k_audio_i2s_attr *i2s = &attr.kd_audio_attr.i2s_attr;
    i2s->chn_cnt = 2; /* the I2S frame's two slots, as the SDK sample and CanMV set it; snd_mode picks one */
    i2s->sample_rate = (k_u32)rate;
    i2s->bit_width = KD_AUDIO_BIT_WIDTH_16;
    i2s->snd_mode = KD_AUDIO_SOUND_MODE_MONO;
    i2s->mono_channel = KD_I2S_IN_MONO_RIGHT_CHANNEL; /* the SDK's "mic input" (LEFT: the headphone input) */
    i2s->i2s_mode = K_STANDARD_MODE;
    i2s->frame_num = K230_AUDIO_FRAMES;
    i2s->point_num_per_frame = (k_u32)samples; /* one chunk a frame: the driver takes rate/100..rate */
    i2s->i2s_type = K_AIO_I2STYPE_INNERCODEC;
    k_s32 rc = kd_mpi_ai_set_pub_attr(K230_AUDIO_DEV, &attr);
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_ai_set_pub_attr(%d Hz, mono) failed (0x%x)", rate, (unsigned)rc);
        return -1;
    }
    rc = kd_mpi_ai_enable(K230_AUDIO_DEV);
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_ai_enable failed (0x%x)", (unsigned)rc);
        return -1;
    }
    k230_audio.dev_enabled = true;
    rc = kd_mpi_ai_enable_chn(K230_AUDIO_DEV, K230_AUDIO_AI_CHN);
    if (rc != K_SUCCESS) {
        k230_audio_halt();
        snprintf(err, err_len, "kd_mpi_ai_enable_chn failed (0x%x)", (unsigned)rc);
        return -1;
    }
    k230_audio.chn_enabled = true;
    k230_audio.rate = rate;
    k230_audio.samples = samples;
    k230_audio.clock = (struct k230_audio_clock_s){.chunk_us = AUDIO_CHUNK_US, .sample_us = 1000000 / rate};
    atomic_store(&k230_audio.stop, false);
    int prc = pthread_create(&k230_audio.thread, NULL, k230_audio_run, NULL);
    if (prc) {
        k230_audio_halt();
        snprintf(err, err_len, "cannot start the microphone thread: %s", strerror(prc));
        return -1;
    }
    return 0;
}

static void k230_audio_stop(void) {
    atomic_store(&k230_audio.stop, true);
    pthread_join(k230_audio.thread, NULL);
    k230_audio_halt();
}

static void k230_audio_destroy_encoder(int chn) {
    k_s32 rc = kd_mpi_aenc_destroy_chn((k_aenc_chn)chn);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_aenc_destroy_chn(%d): 0x%x\n", chn, (unsigned)rc);
}

static struct audio_s *k230_audio_open(const struct audio_settings_s *s, audio_on_chunk_fn on_chunk, void *ctx,
                                       char *err, size_t err_len) {
    if (s->codec != AUDIO_CODEC_G711A && s->codec != AUDIO_CODEC_G711U) {
        snprintf(err, err_len, "the K230 microphone gives G.711 A-law or mu-law (asked for codec %d)", (int)s->codec);
        return NULL;
    }
    if (s->rate != 8000 && s->rate != 16000) {
        snprintf(err, err_len, "the K230 microphone runs at 8000 or 16000 Hz here (asked for %d)", s->rate);
        return NULL;
    }
    struct audio_s *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    a->codec = s->codec;
    a->on_chunk = on_chunk;
    a->ctx = ctx;
    pthread_mutex_lock(&k230_audio.life);
    a->chn = -1;
    for (int i = K230_AUDIO_MAX_OPEN - 1; i >= 0; i--)
        if (!k230_audio.open[i]) a->chn = i;
    if (a->chn < 0) {
        snprintf(err, err_len, "the microphone already feeds %d streams", K230_AUDIO_MAX_OPEN);
        goto error;
    }
    if (k230_audio.count > 0 && k230_audio.rate != s->rate) {
        snprintf(err, err_len, "the microphone already runs at %d Hz for the other stream (asked for %d)",
                 k230_audio.rate, s->rate);
        goto error;
    }
    k_aenc_chn_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.type = s->codec == AUDIO_CODEC_G711A ? K_PT_G711A : K_PT_G711U;
    attr.point_num_per_frame = (k_u32)audio_chunk_samples(s->rate);
    attr.buf_size = K230_AUDIO_AENC_BUFS;
    k_s32 rc = kd_mpi_aenc_create_chn((k_aenc_chn)a->chn, &attr);
    if (rc != K_SUCCESS) {
        snprintf(err, err_len, "kd_mpi_aenc_create_chn(%d) failed (0x%x)", a->chn, (unsigned)rc);
        goto error;
    }
    if (k230_audio.count == 0 && k230_audio_start(s->rate, err, err_len) < 0) {
        k230_audio_destroy_encoder(a->chn);
        goto error;
    }
    pthread_mutex_lock(&k230_audio.lock);
    k230_audio.open[a->chn] = a;
    k230_audio.count++;
    pthread_mutex_unlock(&k230_audio.lock);
    pthread_mutex_unlock(&k230_audio.life);
    return a;
error:
    pthread_mutex_unlock(&k230_audio.life);
    free(a);
    return NULL;
}

/* The last input out stops the thread and the device; each destroys its AENC channel. No binds to undo:
 * frames go from ai to AENC through this thread. */
static void k230_audio_close(struct audio_s *a) {
    pthread_mutex_lock(&k230_audio.life);
    pthread_mutex_lock(&k230_audio.lock);
    k230_audio.open[a->chn] = NULL;
    bool last = --k230_audio.count == 0;
    pthread_mutex_unlock(&k230_audio.lock);
    if (last) k230_audio_stop();
    k230_audio_destroy_encoder(a->chn);
    pthread_mutex_unlock(&k230_audio.life);
    free(a);
}

const struct audio_backend_s audio_backend_k230 = {
    .name = "k230",
    .codecs = (1u << AUDIO_CODEC_G711A) | (1u << AUDIO_CODEC_G711U),
    .open = k230_audio_open,
    .close = k230_audio_close,
};
