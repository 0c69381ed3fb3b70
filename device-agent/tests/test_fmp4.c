/* The muxer: the init segment's box tree and sample entry, and a fragment's layout and flags. */
#include "bytes.h"
#include "check.h"
#include "fmp4.h"

static const uint8_t sps[] = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40, 0x00,
                              0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x0f, 0x23, 0xc6, 0x0c, 0xa8};
static const uint8_t pps[] = {0x68, 0xce, 0x3c, 0x80};
static const uint8_t idr[] = {0x65, 0x88, 0x84, 0x00, 0x33};

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Finds a box by path ("moov/trak/mdia") starting at buf; returns its offset or -1. */
static long find_path(const uint8_t *buf, size_t len, const char *path) {
    size_t at = 0, end = len;
    while (*path) {
        int found = 0;
        while (at + 8 <= end) {
            uint32_t size = be32(buf + at);
            if (size < 8 || at + size > end) return -1;
            if (!memcmp(buf + at + 4, path, 4)) {
                found = 1;
                break;
            }
            at += size;
        }
        if (!found) return -1;
        path += 4;
        if (*path == '/') {
            path++;
            end = at + be32(buf + at);
            at += 8;
            if (!memcmp(buf + at - 4, "stsd", 4)) at += 8; /* full box header + entry_count */
            else if (!memcmp(buf + at - 4, "avc1", 4)) at += 78; /* visual sample entry fields */
        }
    }
    return (long)at;
}

static struct camera_au_s keyframe(void) {
    struct camera_au_s au = {.pts_us = 1000000, .keyframe = true, .nal_count = 3};
    au.nals[0] = (struct camera_nal_s){sps, sizeof(sps)};
    au.nals[1] = (struct camera_nal_s){pps, sizeof(pps)};
    au.nals[2] = (struct camera_nal_s){idr, sizeof(idr)};
    return au;
}

static void test_init_segment_has_the_box_tree_a_player_needs(void) {
    struct camera_au_s au = keyframe();
    struct fmp4_track_s t;
    CHECK_EQ_INT(fmp4_track_from_keyframe(&t, CAMERA_CODEC_H264, 1280, 720, 30, &au), 0);
    CHECK_EQ_STR(t.codec_string, "avc1.42c01f");
    uint8_t buf[1024];
    size_t n = fmp4_write_init(&t, buf, sizeof(buf));
    CHECK(n > 0);
    CHECK_EQ_INT(find_path(buf, n, "ftyp"), 0);
    long moov = find_path(buf, n, "moov");
    CHECK(moov > 0);
    CHECK_EQ_INT(moov + be32(buf + moov), (long)n); /* moov ends the segment */
    CHECK(find_path(buf, n, "moov/mvhd") > 0);
    CHECK(find_path(buf, n, "moov/mvex/trex") > 0);
    long mdhd = find_path(buf, n, "moov/trak/mdia/mdhd");
    CHECK(mdhd > 0);
    CHECK_EQ_INT(be32(buf + mdhd + 20), FMP4_TIMESCALE);
    long tkhd = find_path(buf, n, "moov/trak/tkhd");
    CHECK_EQ_INT(be32(buf + tkhd + 84) >> 16, 1280);
    CHECK_EQ_INT(be32(buf + tkhd + 88) >> 16, 720);
    long avcc = find_path(buf, n, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC");
    CHECK(avcc > 0);
    const uint8_t *c = buf + avcc + 8;
    CHECK_EQ_INT(c[0], 1);
    CHECK_EQ_INT(c[1], 0x42);
    CHECK_EQ_INT(c[3], 0x1f);
    CHECK_EQ_INT(c[4], 0xFF);              /* 4-byte lengths */
    CHECK_EQ_INT(c[5], 0xE1);              /* one SPS */
    CHECK_EQ_INT((c[6] << 8) | c[7], sizeof(sps));
    CHECK(!memcmp(c + 8, sps, sizeof(sps)));
    CHECK(find_path(buf, n, "moov/trak/mdia/minf/stbl/stts") > 0);
    CHECK_EQ_INT(fmp4_write_init(&t, buf, 100), 0); /* too small: refused, not truncated */
}

/* The second trak, as libmov writes G.711: after the video's, timescale = rate, an `ulaw` entry. */
static void test_init_segment_with_sound_has_its_track(void) {
    struct camera_au_s au = keyframe();
    struct fmp4_track_s t;
    CHECK_EQ_INT(fmp4_track_from_keyframe(&t, CAMERA_CODEC_H264, 1280, 720, 30, &au), 0);
    t.audio = (struct audio_settings_s){AUDIO_CODEC_G711U, 16000};
    uint8_t buf[2048];
    size_t n = fmp4_write_init(&t, buf, sizeof(buf));
    CHECK(n > 0);
    long video = find_path(buf, n, "moov/trak");
    long sound = video + (long)be32(buf + video);
    CHECK(!memcmp(buf + sound + 4, "trak", 4));
    size_t len = (size_t)be32(buf + sound);
    const uint8_t *s = buf + sound;
    CHECK_EQ_INT(be32(s + find_path(s, len, "trak/tkhd") + 20), FMP4_AUDIO_TRACK);
    CHECK_EQ_INT(be32(s + find_path(s, len, "trak/mdia/mdhd") + 20), 16000);
    CHECK(!memcmp(s + find_path(s, len, "trak/mdia/hdlr") + 16, "soun", 4));
    CHECK(find_path(s, len, "trak/mdia/minf/smhd") > 0);
    long entry = find_path(s, len, "trak/mdia/minf/stbl/stsd/ulaw");
    CHECK(entry > 0);
    CHECK_EQ_INT(be32(s + entry), 36); /* a plain version-0 entry: no esds */
    CHECK_EQ_INT((s[entry + 24] << 8) | s[entry + 25], 1);  /* channelcount */
    CHECK_EQ_INT((s[entry + 26] << 8) | s[entry + 27], 16); /* samplesize */
    CHECK_EQ_INT(be32(s + entry + 32) >> 16, 16000);
    long mvex = find_path(buf, n, "moov/mvex");
    CHECK_EQ_INT(be32(buf + mvex), 8 + 2 * 32); /* a trex for each track */
    CHECK_EQ_INT(be32(buf + find_path(buf, n, "moov/mvhd") + 104), FMP4_AUDIO_TRACK + 1);
}

static void test_keyframe_without_parameter_sets_gives_no_track(void) {
    struct camera_au_s au = keyframe();
    au.nals[0] = au.nals[2];
    au.nal_count = 1;
    struct fmp4_track_s t;
    CHECK_EQ_INT(fmp4_track_from_keyframe(&t, CAMERA_CODEC_H264, 1280, 720, 30, &au), -1);
}

static void test_fragment_points_at_its_sample_with_the_right_flags(void) {
    struct camera_au_s au = keyframe();
    size_t sample = fmp4_sample_size(&au);
    CHECK_EQ_INT(sample, 12 + sizeof(sps) + sizeof(pps) + sizeof(idr));
    uint8_t buf[FMP4_FRAGMENT_HEADER_MAX];
    for (int key = 0; key <= 1; key++) {
        size_t n = fmp4_write_fragment(buf, sizeof(buf), 7, FMP4_VIDEO_TRACK, 0x100000000ull, 3000, (uint32_t)sample, key);
        CHECK(n > 0);
        long moof = find_path(buf, n, "moof");
        long mdat = moof + (long)be32(buf + moof); /* its size counts the sample, which follows */
        CHECK_EQ_INT(moof, 0);
        CHECK(!memcmp(buf + mdat + 4, "mdat", 4));
        CHECK_EQ_INT(mdat + 8, (long)n); /* the header ends where the sample bytes go */
        CHECK_EQ_INT(be32(buf + mdat), 8 + sample);
        CHECK_EQ_INT(be32(buf + find_path(buf, n, "moof/mfhd") + 12), 7);
        long tfhd = find_path(buf, n, "moof/traf/tfhd");
        CHECK_EQ_INT(be32(buf + tfhd + 8) & 0xFFFFFF, 0x020000); /* default-base-is-moof */
        long tfdt = find_path(buf, n, "moof/traf/tfdt");
        CHECK_EQ_INT(buf[tfdt + 8], 1);
        CHECK_EQ_INT(be32(buf + tfdt + 12), 1);
        CHECK_EQ_INT(be32(buf + tfdt + 16), 0);
        long trun = find_path(buf, n, "moof/traf/trun");
        CHECK_EQ_INT(be32(buf + trun + 12), 1);                 /* one sample */
        CHECK_EQ_INT(be32(buf + trun + 16), (uint32_t)mdat + 8); /* data offset from moof */
        CHECK_EQ_INT(be32(buf + trun + 20), 3000);
        CHECK_EQ_INT(be32(buf + trun + 24), sample);
        CHECK_EQ_INT(be32(buf + trun + 28), key ? 0x02000000u : 0x01010000u);
    }
}

static void test_changed_parameter_sets_are_noticed(void) {
    struct camera_au_s au = keyframe();
    struct fmp4_track_s t;
    fmp4_track_from_keyframe(&t, CAMERA_CODEC_H264, 1280, 720, 30, &au);
    CHECK_EQ_INT(fmp4_track_changed(&t, &au), 0);
    static const uint8_t other_pps[] = {0x68, 0xce, 0x3c, 0x81};
    au.nals[1] = (struct camera_nal_s){other_pps, sizeof(other_pps)};
    CHECK_EQ_INT(fmp4_track_changed(&t, &au), 1);
}

int main(void) {
    test_init_segment_has_the_box_tree_a_player_needs();
    test_keyframe_without_parameter_sets_gives_no_track();
    test_init_segment_with_sound_has_its_track();
    test_fragment_points_at_its_sample_with_the_right_flags();
    test_changed_parameter_sets_are_noticed();
    return check_report("test_fmp4");
}
