/* Fragmented MP4 muxer: one init segment, then one moof+mdat per access unit, and one per chunk of
 * sound when the track has audio (its own trak, FMP4_AUDIO_TRACK, interleaved as they come). */
#ifndef K230_FMP4_H
#define K230_FMP4_H
#include <stddef.h>
#include <stdint.h>

#include "camera.h"
#include "nal.h"

#define FMP4_TIMESCALE 90000
#define FMP4_VIDEO_TRACK 1
#define FMP4_AUDIO_TRACK 2 /* its timescale is the sample rate */
#define FMP4_MAX_PARAM_SET 512
#define FMP4_FRAGMENT_HEADER_MAX 128

struct fmp4_param_set_s {
    uint8_t data[FMP4_MAX_PARAM_SET];
    size_t size;
};

/* What the init segment describes; filled from the parameter sets of a keyframe. */
struct fmp4_track_s {
    enum camera_codec_e codec;
    int width, height, fps;
    struct fmp4_param_set_s vps, sps, pps; /* vps only for H.265 */
    struct nal_sps_info_s sps_info;
    char codec_string[48];
    struct audio_settings_s audio; /* codec OFF: video only */
    enum camera_source_e source;   /* what the pictures show: INIT_SEGMENT says it, the moov does not */
};

/* 0 when the keyframe carried the parameter sets the codec needs, -1 otherwise. */
int fmp4_track_from_keyframe(struct fmp4_track_s *t, enum camera_codec_e codec, int width, int height, int fps,
                             const struct camera_au_s *au);
/* 1 when the access unit's parameter sets differ from the track's (a new init segment is due). */
int fmp4_track_changed(const struct fmp4_track_s *t, const struct camera_au_s *au);
/* Writes ftyp+moov; returns the size, or 0 when cap is too small. */
size_t fmp4_write_init(const struct fmp4_track_s *t, uint8_t *out, size_t cap);

/* Bytes of the mdat payload for an access unit: a 4-byte big-endian length before each NAL unit. */
size_t fmp4_sample_size(const struct camera_au_s *au);
/* A picture's place in its trak: microseconds since the stream's first picture, in FMP4_TIMESCALE's ticks. */
uint64_t fmp4_picture_decode_time(int64_t since_us);
/* A chunk of sound's place in its trak: microseconds since the first picture, in samples, rounded. */
uint64_t fmp4_sound_decode_time(int64_t since_us, int rate);
/* Writes moof and the mdat header for one sample of a track; the sample bytes follow it. A chunk of
 * G.711 is one sample (as the K230's own muxer writes it), its duration its sample count.
 * Returns the size or 0. */
size_t fmp4_write_fragment(uint8_t *out, size_t cap, uint32_t sequence, uint32_t track_id, uint64_t decode_time,
                           uint32_t duration, uint32_t sample_size, int keyframe);

#endif
