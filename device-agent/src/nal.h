/* H.264 / H.265 NAL unit helpers: Annex-B splitting and the SPS fields the MP4 sample entry needs. */
#ifndef K230_NAL_H
#define K230_NAL_H
#include <stddef.h>
#include <stdint.h>

#include "camera.h"

enum {
    NAL_H264_IDR = 5,
    NAL_H264_SPS = 7,
    NAL_H264_PPS = 8,
    NAL_H265_IDR_W_RADL = 19,
    NAL_H265_IDR_N_LP = 20,
    NAL_H265_CRA = 21,
    NAL_H265_VPS = 32,
    NAL_H265_SPS = 33,
    NAL_H265_PPS = 34,
};

/* Splits an Annex-B buffer at its start codes; returns the NAL count, or -1 past max. */
int nal_split_annexb(const uint8_t *buf, size_t len, struct camera_nal_s *nals, size_t max);
int nal_type(enum camera_codec_e codec, const struct camera_nal_s *nal);

struct nal_sps_info_s {
    /* H.264 */
    uint8_t profile_idc, constraint_flags, level_idc;
    /* H.265 profile_tier_level */
    uint8_t profile_space, tier_flag, general_profile_idc;
    uint32_t profile_compatibility;
    uint8_t constraint_indicator[6];
    uint8_t general_level_idc;
    uint8_t max_sub_layers;
    uint8_t temporal_id_nesting;
    /* both */
    uint8_t chroma_format_idc, bit_depth_luma, bit_depth_chroma;
};

/* 0 on success, -1 when the SPS is truncated or uses what we do not parse. */
int nal_parse_sps(enum camera_codec_e codec, const struct camera_nal_s *sps, struct nal_sps_info_s *out);
/* RFC 6381 codec string for MediaSource, e.g. "avc1.64001f" or "hev1.1.6.L93.B0". */
void nal_codec_string(enum camera_codec_e codec, const struct nal_sps_info_s *sps, char *out, size_t cap);

#endif
