#include "fmp4.h"

#include <string.h>

#include "bytes.h"

/* trun sample flags (ISO/IEC 14496-12 8.8.3.1) */
#define FMP4_SAMPLE_SYNC 0x02000000u     /* depends on no other sample */
#define FMP4_SAMPLE_NON_SYNC 0x01010000u /* depends on others; is_non_sync_sample */

#define FMP4_TFHD_DEFAULT_BASE_IS_MOOF 0x020000u
#define FMP4_TRUN_DATA_OFFSET 0x000001u
#define FMP4_TRUN_DURATION 0x000100u
#define FMP4_TRUN_SIZE 0x000200u
#define FMP4_TRUN_FLAGS 0x000400u

static size_t fmp4_box_begin(struct bytes_writer_s *w, const char type[4]) {
    size_t at = w->len;
    bytes_put_u32be(w, 0);
    bytes_put(w, type, 4);
    return at;
}

static size_t fmp4_full_box_begin(struct bytes_writer_s *w, const char type[4], uint8_t version, uint32_t flags) {
    size_t at = fmp4_box_begin(w, type);
    bytes_put_u32be(w, ((uint32_t)version << 24) | (flags & 0xFFFFFFu));
    return at;
}

static void fmp4_box_end(struct bytes_writer_s *w, size_t at) { bytes_patch_u32be(w, at, (uint32_t)(w->len - at)); }

static void fmp4_matrix(struct bytes_writer_s *w) {
    static const uint32_t unity[9] = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
    for (int i = 0; i < 9; i++) bytes_put_u32be(w, unity[i]);
}

static int fmp4_keep(struct fmp4_param_set_s *dst, const struct camera_nal_s *nal) {
    if (nal->size > sizeof(dst->data)) return -1;
    memcpy(dst->data, nal->data, nal->size);
    dst->size = nal->size;
    return 0;
}

static int fmp4_param_kind(enum camera_codec_e codec, int type) {
    if (codec == CAMERA_CODEC_H264) return type == NAL_H264_SPS ? 1 : type == NAL_H264_PPS ? 2 : 0;
    return type == NAL_H265_SPS ? 1 : type == NAL_H265_PPS ? 2 : type == NAL_H265_VPS ? 3 : 0;
}

int fmp4_track_from_keyframe(struct fmp4_track_s *t, enum camera_codec_e codec, int width, int height, int fps,
                             const struct camera_au_s *au) {
    memset(t, 0, sizeof(*t));
    t->codec = codec;
    t->width = width;
    t->height = height;
    t->fps = fps;
    for (size_t i = 0; i < au->nal_count; i++) {
        const struct camera_nal_s *nal = &au->nals[i];
        int kind = fmp4_param_kind(codec, nal_type(codec, nal));
        struct fmp4_param_set_s *dst = kind == 1 ? &t->sps : kind == 2 ? &t->pps : kind == 3 ? &t->vps : NULL;
        if (dst && !dst->size && fmp4_keep(dst, nal) < 0) return -1;
    }
    if (!t->sps.size || !t->pps.size || (codec == CAMERA_CODEC_H265 && !t->vps.size)) return -1;
    struct camera_nal_s sps = {t->sps.data, t->sps.size};
    if (nal_parse_sps(codec, &sps, &t->sps_info) < 0) return -1;
    nal_codec_string(codec, &t->sps_info, t->codec_string, sizeof(t->codec_string));
    return 0;
}

int fmp4_track_changed(const struct fmp4_track_s *t, const struct camera_au_s *au) {
    for (size_t i = 0; i < au->nal_count; i++) {
        const struct camera_nal_s *nal = &au->nals[i];
        int kind = fmp4_param_kind(t->codec, nal_type(t->codec, nal));
        const struct fmp4_param_set_s *have = kind == 1 ? &t->sps : kind == 2 ? &t->pps : kind == 3 ? &t->vps : NULL;
        if (have && (have->size != nal->size || memcmp(have->data, nal->data, nal->size))) return 1;
    }
    return 0;
}

static void fmp4_avcc(struct bytes_writer_s *w, const struct fmp4_track_s *t) {
    size_t box = fmp4_box_begin(w, "avcC");
    const struct nal_sps_info_s *s = &t->sps_info;
    bytes_put_u8(w, 1);
    bytes_put_u8(w, s->profile_idc);
    bytes_put_u8(w, s->constraint_flags);
    bytes_put_u8(w, s->level_idc);
    bytes_put_u8(w, 0xFF); /* 4-byte NAL lengths */
    bytes_put_u8(w, 0xE1); /* one SPS */
    bytes_put_u16be(w, (uint16_t)t->sps.size);
    bytes_put(w, t->sps.data, t->sps.size);
    bytes_put_u8(w, 1); /* one PPS */
    bytes_put_u16be(w, (uint16_t)t->pps.size);
    bytes_put(w, t->pps.data, t->pps.size);
    if (s->profile_idc == 100 || s->profile_idc == 110 || s->profile_idc == 122 || s->profile_idc == 144) {
        bytes_put_u8(w, 0xFC | (s->chroma_format_idc & 3));
        bytes_put_u8(w, 0xF8 | ((s->bit_depth_luma - 8) & 7));
        bytes_put_u8(w, 0xF8 | ((s->bit_depth_chroma - 8) & 7));
        bytes_put_u8(w, 0); /* no SPS extensions */
    }
    fmp4_box_end(w, box);
}

static void fmp4_hvcc_array(struct bytes_writer_s *w, int nal_type, const struct fmp4_param_set_s *p) {
    bytes_put_u8(w, 0x80 | (uint8_t)nal_type); /* array_completeness = 1 */
    bytes_put_u16be(w, 1);
    bytes_put_u16be(w, (uint16_t)p->size);
    bytes_put(w, p->data, p->size);
}

static void fmp4_hvcc(struct bytes_writer_s *w, const struct fmp4_track_s *t) {
    size_t box = fmp4_box_begin(w, "hvcC");
    const struct nal_sps_info_s *s = &t->sps_info;
    bytes_put_u8(w, 1);
    bytes_put_u8(w, (uint8_t)((s->profile_space << 6) | (s->tier_flag << 5) | (s->general_profile_idc & 0x1F)));
    bytes_put_u32be(w, s->profile_compatibility);
    bytes_put(w, s->constraint_indicator, 6);
    bytes_put_u8(w, s->general_level_idc);
    bytes_put_u16be(w, 0xF000); /* min_spatial_segmentation_idc = 0 */
    bytes_put_u8(w, 0xFC);      /* parallelismType = 0 */
    bytes_put_u8(w, 0xFC | (s->chroma_format_idc & 3));
    bytes_put_u8(w, 0xF8 | ((s->bit_depth_luma - 8) & 7));
    bytes_put_u8(w, 0xF8 | ((s->bit_depth_chroma - 8) & 7));
    bytes_put_u16be(w, 0); /* avgFrameRate unspecified */
    /* constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3 */
    bytes_put_u8(w, (uint8_t)(((s->max_sub_layers & 7) << 3) | ((s->temporal_id_nesting & 1) << 2) | 3));
    bytes_put_u8(w, 3);
    fmp4_hvcc_array(w, NAL_H265_VPS, &t->vps);
    fmp4_hvcc_array(w, NAL_H265_SPS, &t->sps);
    fmp4_hvcc_array(w, NAL_H265_PPS, &t->pps);
    fmp4_box_end(w, box);
}

static void fmp4_sample_entry(struct bytes_writer_s *w, const struct fmp4_track_s *t) {
    /* hev1/avc1: parameter sets also stay in band, in every keyframe, as the encoder wrote them */
    size_t box = fmp4_box_begin(w, t->codec == CAMERA_CODEC_H264 ? "avc1" : "hev1");
    bytes_put_zeros(w, 6);
    bytes_put_u16be(w, 1); /* data_reference_index */
    bytes_put_zeros(w, 16);
    bytes_put_u16be(w, (uint16_t)t->width);
    bytes_put_u16be(w, (uint16_t)t->height);
    bytes_put_u32be(w, 0x00480000); /* 72 dpi */
    bytes_put_u32be(w, 0x00480000);
    bytes_put_u32be(w, 0);
    bytes_put_u16be(w, 1); /* frame_count */
    uint8_t name[32] = {0};
    static const char label[] = "K230 Live";
    name[0] = sizeof(label) - 1;
    memcpy(name + 1, label, sizeof(label) - 1);
    bytes_put(w, name, sizeof(name));
    bytes_put_u16be(w, 0x0018);
    bytes_put_u16be(w, 0xFFFF);
    if (t->codec == CAMERA_CODEC_H264)
        fmp4_avcc(w, t);
    else
        fmp4_hvcc(w, t);
    fmp4_box_end(w, box);
}

static void fmp4_empty_table(struct bytes_writer_s *w, const char type[4], int extra_zero_words) {
    size_t box = fmp4_full_box_begin(w, type, 0, 0);
    for (int i = 0; i < extra_zero_words + 1; i++) bytes_put_u32be(w, 0);
    fmp4_box_end(w, box);
}

static void fmp4_tkhd(struct bytes_writer_s *w, uint32_t track_id, uint16_t volume, int width, int height) {
    size_t tkhd = fmp4_full_box_begin(w, "tkhd", 0, 3); /* enabled, in movie */
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, track_id);
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, 0); /* duration */
    bytes_put_zeros(w, 8);
    bytes_put_u16be(w, 0); /* layer */
    bytes_put_u16be(w, 0); /* alternate_group */
    bytes_put_u16be(w, volume);
    bytes_put_u16be(w, 0);
    fmp4_matrix(w);
    bytes_put_u32be(w, (uint32_t)width << 16);
    bytes_put_u32be(w, (uint32_t)height << 16);
    fmp4_box_end(w, tkhd);
}

static void fmp4_mdhd_hdlr(struct bytes_writer_s *w, uint32_t timescale, const char handler[4], const char *name) {
    size_t mdhd = fmp4_full_box_begin(w, "mdhd", 0, 0);
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, timescale);
    bytes_put_u32be(w, 0);
    bytes_put_u16be(w, 0x55C4); /* "und" */
    bytes_put_u16be(w, 0);
    fmp4_box_end(w, mdhd);
    size_t hdlr = fmp4_full_box_begin(w, "hdlr", 0, 0);
    bytes_put_u32be(w, 0);
    bytes_put(w, handler, 4);
    bytes_put_zeros(w, 12);
    bytes_put(w, name, strlen(name) + 1); /* with its terminating NUL */
    fmp4_box_end(w, hdlr);
}

static void fmp4_dinf(struct bytes_writer_s *w) {
    size_t dinf = fmp4_box_begin(w, "dinf");
    size_t dref = fmp4_full_box_begin(w, "dref", 0, 0);
    bytes_put_u32be(w, 1);
    size_t url = fmp4_full_box_begin(w, "url ", 0, 1); /* media is in this file */
    fmp4_box_end(w, url);
    fmp4_box_end(w, dref);
    fmp4_box_end(w, dinf);
}

/* The sample tables of a fragmented track: empty, the fragments carry the samples. */
static void fmp4_empty_tables(struct bytes_writer_s *w) {
    fmp4_empty_table(w, "stts", 0);
    fmp4_empty_table(w, "stsc", 0);
    fmp4_empty_table(w, "stsz", 1);
    fmp4_empty_table(w, "stco", 0);
}

static void fmp4_video_trak(struct bytes_writer_s *w, const struct fmp4_track_s *t) {
    size_t trak = fmp4_box_begin(w, "trak");
    fmp4_tkhd(w, FMP4_VIDEO_TRACK, 0, t->width, t->height);
    size_t mdia = fmp4_box_begin(w, "mdia");
    fmp4_mdhd_hdlr(w, FMP4_TIMESCALE, "vide", "K230 Live video");
    size_t minf = fmp4_box_begin(w, "minf");
    size_t vmhd = fmp4_full_box_begin(w, "vmhd", 0, 1);
    bytes_put_zeros(w, 8);
    fmp4_box_end(w, vmhd);
    fmp4_dinf(w);
    size_t stbl = fmp4_box_begin(w, "stbl");
    size_t stsd = fmp4_full_box_begin(w, "stsd", 0, 0);
    bytes_put_u32be(w, 1);
    fmp4_sample_entry(w, t);
    fmp4_box_end(w, stsd);
    fmp4_empty_tables(w);
    fmp4_box_end(w, stbl);
    fmp4_box_end(w, minf);
    fmp4_box_end(w, mdia);
    fmp4_box_end(w, trak);
}

/* G.711 as the K230's muxer (libmov) writes it: an `alaw`/`ulaw` version-0 AudioSampleEntry, mono,
 * samplesize 16, no decoder configuration box. */
static void fmp4_audio_trak(struct bytes_writer_s *w, const struct audio_settings_s *a) {
    size_t trak = fmp4_box_begin(w, "trak");
    fmp4_tkhd(w, FMP4_AUDIO_TRACK, 0x0100, 0, 0); /* full volume */
    size_t mdia = fmp4_box_begin(w, "mdia");
    fmp4_mdhd_hdlr(w, (uint32_t)a->rate, "soun", "K230 Live sound");
    size_t minf = fmp4_box_begin(w, "minf");
    size_t smhd = fmp4_full_box_begin(w, "smhd", 0, 0);
    bytes_put_u32be(w, 0); /* balance, reserved */
    fmp4_box_end(w, smhd);
    fmp4_dinf(w);
    size_t stbl = fmp4_box_begin(w, "stbl");
    size_t stsd = fmp4_full_box_begin(w, "stsd", 0, 0);
    bytes_put_u32be(w, 1);
    size_t entry = fmp4_box_begin(w, a->codec == AUDIO_CODEC_G711A ? "alaw" : "ulaw");
    bytes_put_zeros(w, 6);
    bytes_put_u16be(w, 1); /* data_reference_index */
    bytes_put_zeros(w, 8); /* version 0, revision, vendor */
    bytes_put_u16be(w, 1);  /* channelcount */
    bytes_put_u16be(w, 16); /* samplesize */
    bytes_put_u32be(w, 0);  /* pre_defined, reserved */
    bytes_put_u32be(w, (uint32_t)a->rate << 16);
    fmp4_box_end(w, entry);
    fmp4_box_end(w, stsd);
    fmp4_empty_tables(w);
    fmp4_box_end(w, stbl);
    fmp4_box_end(w, minf);
    fmp4_box_end(w, mdia);
    fmp4_box_end(w, trak);
}

static void fmp4_trex(struct bytes_writer_s *w, uint32_t track_id) {
    size_t trex = fmp4_full_box_begin(w, "trex", 0, 0);
    bytes_put_u32be(w, track_id);
    bytes_put_u32be(w, 1); /* default_sample_description_index */
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, 0);
    bytes_put_u32be(w, 0);
    fmp4_box_end(w, trex);
}

size_t fmp4_write_init(const struct fmp4_track_s *t, uint8_t *out, size_t cap) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, out, cap);
    int audio = t->audio.codec != AUDIO_CODEC_OFF;

    size_t ftyp = fmp4_box_begin(&w, "ftyp");
    bytes_put(&w, "iso6", 4);
    bytes_put_u32be(&w, 0);
    bytes_put(&w, "iso6iso5mp41", 12);
    bytes_put(&w, t->codec == CAMERA_CODEC_H264 ? "avc1" : "hev1", 4);
    fmp4_box_end(&w, ftyp);

    size_t moov = fmp4_box_begin(&w, "moov");
    size_t mvhd = fmp4_full_box_begin(&w, "mvhd", 0, 0);
    bytes_put_u32be(&w, 0); /* creation_time */
    bytes_put_u32be(&w, 0); /* modification_time */
    bytes_put_u32be(&w, 1000);
    bytes_put_u32be(&w, 0); /* duration: unknown, fragments follow */
    bytes_put_u32be(&w, 0x00010000);
    bytes_put_u16be(&w, 0x0100);
    bytes_put_zeros(&w, 10);
    fmp4_matrix(&w);
    bytes_put_zeros(&w, 24);
    bytes_put_u32be(&w, audio ? FMP4_AUDIO_TRACK + 1 : FMP4_VIDEO_TRACK + 1); /* next_track_ID */
    fmp4_box_end(&w, mvhd);
    fmp4_video_trak(&w, t);
    if (audio) fmp4_audio_trak(&w, &t->audio);
    size_t mvex = fmp4_box_begin(&w, "mvex");
    fmp4_trex(&w, FMP4_VIDEO_TRACK);
    if (audio) fmp4_trex(&w, FMP4_AUDIO_TRACK);
    fmp4_box_end(&w, mvex);
    fmp4_box_end(&w, moov);
    return w.overflow ? 0 : w.len;
}

size_t fmp4_sample_size(const struct camera_au_s *au) {
    size_t n = 0;
    for (size_t i = 0; i < au->nal_count; i++) n += 4 + au->nals[i].size;
    return n;
}

uint64_t fmp4_picture_decode_time(int64_t since_us) { return (uint64_t)since_us * FMP4_TIMESCALE / 1000000u; }

uint64_t fmp4_sound_decode_time(int64_t since_us, int rate) {
    return ((uint64_t)since_us * (uint64_t)rate + 500000u) / 1000000u;
}

size_t fmp4_write_fragment(uint8_t *out, size_t cap, uint32_t sequence, uint32_t track_id, uint64_t decode_time,
                           uint32_t duration, uint32_t sample_size, int keyframe) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, out, cap);
    size_t moof = fmp4_box_begin(&w, "moof");
    size_t mfhd = fmp4_full_box_begin(&w, "mfhd", 0, 0);
    bytes_put_u32be(&w, sequence);
    fmp4_box_end(&w, mfhd);
    size_t traf = fmp4_box_begin(&w, "traf");
    size_t tfhd = fmp4_full_box_begin(&w, "tfhd", 0, FMP4_TFHD_DEFAULT_BASE_IS_MOOF);
    bytes_put_u32be(&w, track_id);
    fmp4_box_end(&w, tfhd);
    size_t tfdt = fmp4_full_box_begin(&w, "tfdt", 1, 0);
    bytes_put_u64be(&w, decode_time);
    fmp4_box_end(&w, tfdt);
    size_t trun = fmp4_full_box_begin(&w, "trun", 0,
                                      FMP4_TRUN_DATA_OFFSET | FMP4_TRUN_DURATION | FMP4_TRUN_SIZE | FMP4_TRUN_FLAGS);
    bytes_put_u32be(&w, 1); /* sample_count */
    size_t data_offset_at = w.len;
    bytes_put_u32be(&w, 0);
    bytes_put_u32be(&w, duration);
    bytes_put_u32be(&w, sample_size);
    bytes_put_u32be(&w, keyframe ? FMP4_SAMPLE_SYNC : FMP4_SAMPLE_NON_SYNC);
    fmp4_box_end(&w, trun);
    fmp4_box_end(&w, traf);
    fmp4_box_end(&w, moof);
    bytes_patch_u32be(&w, data_offset_at, (uint32_t)(w.len - moof + 8)); /* first sample byte after mdat header */
    bytes_put_u32be(&w, 8 + sample_size);
    bytes_put(&w, "mdat", 4);
    return w.overflow ? 0 : w.len;
}
