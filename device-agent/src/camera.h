/* The camera backend interface: what the K230 VENC gives, and what the simulator imitates.
 * Nothing above this header knows which backend runs, nor how a picture source is captured: a
 * backend opens an encoder channel on its camera or on its display, and both give the same
 * access units. */
#ifndef K230_CAMERA_H
#define K230_CAMERA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"

enum camera_codec_e { CAMERA_CODEC_H264 = 1, CAMERA_CODEC_H265 = 2 };
enum camera_profile_e { CAMERA_PROFILE_BASELINE = 0, CAMERA_PROFILE_MAIN = 1, CAMERA_PROFILE_HIGH = 2 };
/* What the pictures show: the sensor, or what the board's display shows (its composited layers, as
 * the display's write-back gives them on the K230). The protocol's numbers (msg.h's MSG_SOURCE_*). */
enum camera_source_e { CAMERA_SOURCE_CAMERA = 0, CAMERA_SOURCE_DISPLAY = 1 };

/* The limits of every setting, whatever the board; a backend narrows the size and rate to what it
 * offers (max_width, max_height, max_fps below). src/protocol/stream-settings.ts holds the same
 * numbers for the host, and a unit test holds the two together. */
#define CAMERA_WIDTH_MIN 64
#define CAMERA_WIDTH_MULTIPLE 8
#define CAMERA_HEIGHT_MIN 64
#define CAMERA_HEIGHT_MULTIPLE 2
#define CAMERA_FPS_MIN 1
#define CAMERA_BITRATE_MIN_KBPS 100
#define CAMERA_BITRATE_MAX_KBPS 100000
#define CAMERA_GOP_MIN 1
#define CAMERA_GOP_MAX 1000

struct camera_settings_s {
    int width, height, fps;
    enum camera_codec_e codec;
    enum camera_profile_e profile;
    int bitrate_kbps; /* constant bit rate */
    int gop;          /* frames from one IDR to the next */
    struct audio_settings_s audio; /* the microphone beside the pictures; codec OFF: none */
    enum camera_source_e source;   /* what the pictures show */
};

#define CAMERA_MAX_NALS 32

/* One NAL unit, start code removed. On the K230 a VENC pack of type HEADER, I or P. */
struct camera_nal_s {
    const uint8_t *data;
    size_t size;
};

/* One encoded picture with its parameter sets in front when it is a keyframe. */
struct camera_au_s {
    int64_t pts_us; /* capture time, CLOCK_MONOTONIC microseconds */
    bool keyframe;
    size_t nal_count;
    struct camera_nal_s nals[CAMERA_MAX_NALS];
};

/* Called on the backend's thread; the access unit is valid only during the call. Must not block.
 * Returns true when the consumer lost frames and wants the next one to be an IDR. */
typedef bool (*camera_on_au_fn)(void *ctx, const struct camera_au_s *au);

struct camera_s; /* one open encoder channel */

struct camera_backend_s {
    const char *name;
    /* Maximum capture the backend offers; the handshake reports it. */
    int max_width, max_height, max_fps;
    unsigned codecs; /* bit (1 << codec) per supported camera_codec_e */
    unsigned sources; /* bit (1 << source) per camera_source_e it can open */
    const struct audio_backend_s *audio; /* the board's microphone; NULL: it has none */
    struct camera_s *(*open)(const struct camera_settings_s *s, camera_on_au_fn on_au, void *ctx, char *err,
                             size_t err_len);
    int (*request_idr)(struct camera_s *cam);
    int (*set_bitrate)(struct camera_s *cam, int kbps);
    void (*close)(struct camera_s *cam);
};

extern const struct camera_backend_s camera_backend_sim;
extern const struct camera_backend_s camera_backend_k230;

/* Checks a bitrate (SET_BITRATE's too) against CAMERA_BITRATE_*; fills err and returns -1 outside them. */
int camera_bitrate_check(int kbps, char *err, size_t err_len);
/* Checks settings against a backend's limits; fills err and returns -1 when they do not fit. */
int camera_settings_check(const struct camera_backend_s *b, const struct camera_settings_s *s, char *err,
                          size_t err_len);

#endif
