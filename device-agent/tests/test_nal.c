/* NAL helpers: Annex-B splitting and the SPS fields behind avcC/hvcC and the codec string. */
#include "check.h"
#include "nal.h"

/* Parameter sets as libx264 (ultrafast, 1280x720) and libx265 (ultrafast, Main) wrote them. */
static const uint8_t x264_sps[] = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40, 0x00,
                                   0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x0f, 0x23, 0xc6, 0x0c, 0xa8};
static const uint8_t x265_sps[] = {0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00,
                                   0x00, 0x03, 0x00, 0x5d, 0xa0, 0x02, 0x80, 0x80, 0x2d, 0x16, 0x5b, 0xa4, 0xa4, 0xc2,
                                   0xe0, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x01, 0xe0, 0x80};

static void test_split_handles_three_and_four_byte_start_codes(void) {
    static const uint8_t stream[] = {0, 0, 0, 1, 0x67, 0xAA, 0, 0, 1, 0x68, 0xBB, 0xCC, 0, 0, 0, 1, 0x65, 0x01};
    struct camera_nal_s nals[4];
    CHECK_EQ_INT(nal_split_annexb(stream, sizeof(stream), nals, 4), 3);
    CHECK_EQ_INT(nals[0].size, 2);
    CHECK_EQ_INT(nals[1].size, 3);
    CHECK_EQ_INT(nals[2].size, 2);
    CHECK_EQ_INT(nal_type(CAMERA_CODEC_H264, &nals[2]), NAL_H264_IDR);
    CHECK_EQ_INT(nal_split_annexb(stream, sizeof(stream), nals, 2), -1);
}

static void test_h264_sps_gives_profile_level_and_codec_string(void) {
    struct camera_nal_s sps = {x264_sps, sizeof(x264_sps)};
    struct nal_sps_info_s info;
    CHECK_EQ_INT(nal_parse_sps(CAMERA_CODEC_H264, &sps, &info), 0);
    CHECK_EQ_INT(info.profile_idc, 66);
    CHECK_EQ_INT(info.level_idc, 31);
    CHECK_EQ_INT(info.chroma_format_idc, 1);
    char s[48];
    nal_codec_string(CAMERA_CODEC_H264, &info, s, sizeof(s));
    CHECK_EQ_STR(s, "avc1.42c01f");
}

static void test_h265_sps_gives_profile_tier_level_and_codec_string(void) {
    struct camera_nal_s sps = {x265_sps, sizeof(x265_sps)};
    struct nal_sps_info_s info;
    CHECK_EQ_INT(nal_parse_sps(CAMERA_CODEC_H265, &sps, &info), 0);
    CHECK_EQ_INT(info.general_profile_idc, 1);
    CHECK_EQ_INT(info.general_level_idc, 93);
    CHECK_EQ_INT(info.chroma_format_idc, 1);
    CHECK_EQ_INT(info.bit_depth_luma, 8);
    char s[48];
    nal_codec_string(CAMERA_CODEC_H265, &info, s, sizeof(s));
    CHECK_EQ_STR(s, "hev1.1.6.L93.90");
}

static void test_truncated_sps_is_refused(void) {
    struct camera_nal_s sps = {x265_sps, 10};
    struct nal_sps_info_s info;
    CHECK_EQ_INT(nal_parse_sps(CAMERA_CODEC_H265, &sps, &info), -1);
}

int main(void) {
    test_split_handles_three_and_four_byte_start_codes();
    test_h264_sps_gives_profile_level_and_codec_string();
    test_h265_sps_gives_profile_tier_level_and_codec_string();
    test_truncated_sps_is_refused();
    return check_report("test_nal");
}
