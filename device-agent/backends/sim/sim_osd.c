#include "sim_osd.h"

#include <stdio.h>

/* 5x7 glyphs, one byte a row, bit 4 the leftmost column: the digits, and the letters of "OSD". */
static const uint8_t sim_osd_digits[10][7] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C},
};
static const uint8_t sim_osd_o[7] = {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E};
static const uint8_t sim_osd_s[7] = {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E};
static const uint8_t sim_osd_d[7] = {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C};

static const uint8_t *sim_osd_glyph(char c) {
    if (c >= '0' && c <= '9') return sim_osd_digits[c - '0'];
    return c == 'O' ? sim_osd_o : c == 'S' ? sim_osd_s : c == 'D' ? sim_osd_d : NULL; /* NULL: a space */
}

/* One glyph at (x, y), each of its dots a scale x scale square: a row fill per run of dots. */
static void sim_osd_char(const struct sim_picture_s *pic, int x, int y, int scale, const uint8_t *glyph) {
    for (int r = 0; r < 7; r++) {
        for (int c = 0; c < 5;) {
            if (!(glyph[r] & (0x10 >> c))) {
                c++;
                continue;
            }
            int run = 1;
            while (c + run < 5 && (glyph[r] & (0x10 >> (c + run)))) run++;
            sim_pattern_fill(pic, 0, x + c * scale, y + r * scale, run * scale, scale, SIM_OSD_WHITE);
            c += run;
        }
    }
}

/* A position that runs 0..span and back, step a frame. */
static int sim_osd_bounce(uint32_t frame_number, int step, int span) {
    if (span <= 0) return 0;
    int at = (int)((uint64_t)frame_number * (unsigned)step % (uint64_t)(2 * span));
    return at < span ? at : 2 * span - at;
}

void sim_osd_draw(const struct sim_picture_s *pic, uint32_t frame_number) {
    int width = pic->width, height = pic->height;
    /* The text, top right on a dark banner: "OSD" and the frame counter. */
    char text[16];
    snprintf(text, sizeof(text), "OSD %06u", (unsigned)(frame_number % 1000000u));
    int scale = height / 120 > 1 ? height / 120 : 1;
    int advance = 6 * scale, length = 10;
    int banner_w = length * advance + 2 * scale, banner_h = 9 * scale;
    int bx = width - banner_w - scale > 0 ? width - banner_w - scale : 0, by = scale;
    sim_pattern_fill(pic, 0, bx, by, banner_w, banner_h, 16);
    sim_pattern_fill(pic, 1, bx / 2, by / 2, banner_w / 2 + 1, banner_h / 2 + 1, 128);
    sim_pattern_fill(pic, 2, bx / 2, by / 2, banner_w / 2 + 1, banner_h / 2 + 1, 128);
    for (int i = 0; i < length && text[i]; i++) {
        const uint8_t *glyph = sim_osd_glyph(text[i]);
        if (glyph) sim_osd_char(pic, bx + 2 * scale + i * advance, by + scale, scale, glyph);
    }
    /* The box: white, moving diagonally and bouncing off the edges of its band. */
    int top = height * SIM_OSD_BAND_TOP / 100, bottom = height * SIM_OSD_BAND_BOTTOM / 100;
    int x = sim_osd_bounce(frame_number, 8, width - SIM_OSD_BOX);
    int y = top + sim_osd_bounce(frame_number, 4, bottom - top - SIM_OSD_BOX);
    sim_pattern_fill(pic, 0, x, y, SIM_OSD_BOX, SIM_OSD_BOX, SIM_OSD_WHITE);
    sim_pattern_fill(pic, 1, x / 2, y / 2, SIM_OSD_BOX / 2, SIM_OSD_BOX / 2, 128);
    sim_pattern_fill(pic, 2, x / 2, y / 2, SIM_OSD_BOX / 2, SIM_OSD_BOX / 2, 128);
}
