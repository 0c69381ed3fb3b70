#include "nal.h"

#include <stdio.h>
#include <string.h>

int nal_split_annexb(const uint8_t *buf, size_t len, struct camera_nal_s *nals, size_t max) {
    size_t count = 0, i = 0;
    const uint8_t *cur = NULL;
    while (i + 3 <= len) {
        /* Start codes begin with a zero byte: jump from zero to zero (memchr is word-at-a-time). */
        const uint8_t *zero = memchr(buf + i, 0, len - i - 2);
        if (!zero) break;
        i = (size_t)(zero - buf);
        if (buf[i + 1] != 0 || buf[i + 2] != 1) {
            i++;
            continue;
        }
        if (cur) {
            size_t end = i;
            while (end > (size_t)(cur - buf) && buf[end - 1] == 0) end--; /* zero_byte of a 4-byte code */
            if (count == max) return -1;
            nals[count].data = cur;
            nals[count].size = end - (size_t)(cur - buf);
            count++;
        }
        i += 3;
        cur = buf + i;
    }
    if (cur && cur < buf + len) {
        if (count == max) return -1;
        nals[count].data = cur;
        nals[count].size = len - (size_t)(cur - buf);
        count++;
    }
    return (int)count;
}

int nal_type(enum camera_codec_e codec, const struct camera_nal_s *nal) {
    if (nal->size < 1) return -1;
    return codec == CAMERA_CODEC_H264 ? nal->data[0] & 0x1F : (nal->data[0] >> 1) & 0x3F;
}

/* Reads bits of the RBSP, skipping emulation-prevention bytes (00 00 03) on the fly. */
struct nal_bits_s {
    const uint8_t *p;
    size_t len, byte, zeros;
    int bit; /* next bit within p[byte], 7 = most significant */
    int bad;
};

static int nal_bit(struct nal_bits_s *b) {
    if (b->byte >= b->len) {
        b->bad = 1;
        return 0;
    }
    if (b->bit == 7 && b->zeros >= 2 && b->p[b->byte] == 3) {
        b->byte++;
        b->zeros = 0;
        if (b->byte >= b->len) {
            b->bad = 1;
            return 0;
        }
    }
    uint8_t cur = b->p[b->byte];
    int v = (cur >> b->bit) & 1;
    if (--b->bit < 0) {
        b->zeros = cur == 0 ? b->zeros + 1 : 0;
        b->bit = 7;
        b->byte++;
    }
    return v;
}

static uint32_t nal_bits(struct nal_bits_s *b, int n) {
    uint32_t v = 0;
    while (n--) v = (v << 1) | (uint32_t)nal_bit(b);
    return v;
}

static uint32_t nal_ue(struct nal_bits_s *b) {
    int zeros = 0;
    while (!nal_bit(b) && !b->bad) {
        if (++zeros > 31) {
            b->bad = 1;
            return 0;
        }
    }
    return ((1u << zeros) - 1) + nal_bits(b, zeros);
}

static int nal_parse_h264_sps(struct nal_bits_s *b, struct nal_sps_info_s *o) {
    nal_bits(b, 8); /* NAL header */
    o->profile_idc = (uint8_t)nal_bits(b, 8);
    o->constraint_flags = (uint8_t)nal_bits(b, 8);
    o->level_idc = (uint8_t)nal_bits(b, 8);
    nal_ue(b); /* seq_parameter_set_id */
    o->chroma_format_idc = 1;
    o->bit_depth_luma = o->bit_depth_chroma = 8;
    switch (o->profile_idc) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138: case 139:
    case 134: case 135:
        o->chroma_format_idc = (uint8_t)nal_ue(b);
        if (o->chroma_format_idc == 3) nal_bits(b, 1);
        o->bit_depth_luma = (uint8_t)(8 + nal_ue(b));
        o->bit_depth_chroma = (uint8_t)(8 + nal_ue(b));
        break;
    default:
        break;
    }
    return b->bad ? -1 : 0;
}

static int nal_parse_h265_sps(struct nal_bits_s *b, struct nal_sps_info_s *o) {
    nal_bits(b, 16); /* NAL header */
    nal_bits(b, 4);  /* sps_video_parameter_set_id */
    o->max_sub_layers = (uint8_t)(nal_bits(b, 3) + 1);
    o->temporal_id_nesting = (uint8_t)nal_bits(b, 1);
    o->profile_space = (uint8_t)nal_bits(b, 2);
    o->tier_flag = (uint8_t)nal_bits(b, 1);
    o->general_profile_idc = (uint8_t)nal_bits(b, 5);
    o->profile_compatibility = nal_bits(b, 32);
    for (int i = 0; i < 6; i++) o->constraint_indicator[i] = (uint8_t)nal_bits(b, 8);
    o->general_level_idc = (uint8_t)nal_bits(b, 8);
    int sub_profile[8] = {0}, sub_level[8] = {0};
    for (int i = 0; i < o->max_sub_layers - 1; i++) {
        sub_profile[i] = nal_bit(b);
        sub_level[i] = nal_bit(b);
    }
    if (o->max_sub_layers > 1)
        for (int i = o->max_sub_layers - 1; i < 8; i++) nal_bits(b, 2);
    for (int i = 0; i < o->max_sub_layers - 1; i++) {
        if (sub_profile[i]) nal_bits(b, 88);
        if (sub_level[i]) nal_bits(b, 8);
    }
    nal_ue(b); /* sps_seq_parameter_set_id */
    o->chroma_format_idc = (uint8_t)nal_ue(b);
    if (o->chroma_format_idc == 3) nal_bits(b, 1);
    nal_ue(b); /* pic_width_in_luma_samples */
    nal_ue(b); /* pic_height_in_luma_samples */
    if (nal_bit(b))
        for (int i = 0; i < 4; i++) nal_ue(b); /* conformance window */
    o->bit_depth_luma = (uint8_t)(8 + nal_ue(b));
    o->bit_depth_chroma = (uint8_t)(8 + nal_ue(b));
    return b->bad ? -1 : 0;
}

int nal_parse_sps(enum camera_codec_e codec, const struct camera_nal_s *sps, struct nal_sps_info_s *out) {
    struct nal_bits_s b = {sps->data, sps->size, 0, 0, 7, 0};
    memset(out, 0, sizeof(*out));
    return codec == CAMERA_CODEC_H264 ? nal_parse_h264_sps(&b, out) : nal_parse_h265_sps(&b, out);
}

void nal_codec_string(enum camera_codec_e codec, const struct nal_sps_info_s *s, char *out, size_t cap) {
    if (codec == CAMERA_CODEC_H264) {
        snprintf(out, cap, "avc1.%02x%02x%02x", s->profile_idc, s->constraint_flags, s->level_idc);
        return;
    }
    /* ISO/IEC 14496-15 annex E: compatibility flags bit-reversed, trailing zero constraint bytes dropped. */
    uint32_t reversed = 0;
    for (int i = 0; i < 32; i++)
        if (s->profile_compatibility & (1u << i)) reversed |= 1u << (31 - i);
    static const char *space[] = {"", "A", "B", "C"};
    int n = snprintf(out, cap, "hev1.%s%u.%X.%c%u", space[s->profile_space & 3], s->general_profile_idc, reversed,
                     s->tier_flag ? 'H' : 'L', s->general_level_idc);
    int last = 5;
    while (last >= 0 && s->constraint_indicator[last] == 0) last--;
    for (int i = 0; i <= last && n > 0 && (size_t)n < cap; i++)
        n += snprintf(out + n, cap - (size_t)n, ".%X", s->constraint_indicator[i]);
}
