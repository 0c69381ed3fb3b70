#include "sim_pattern.h"

#include <string.h>

/* Seven-segment masks for 0-9: bits a,b,c,d,e,f,g = 0..6 */
static const uint8_t sim_digit_segments[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};

void sim_pattern_fill(const struct sim_picture_s *pic, int plane, int x, int y, int w, int h, uint8_t v) {
    int pw = plane ? pic->width / 2 : pic->width;
    int ph = plane ? pic->height / 2 : pic->height;
    if (x < 0) { w += x; x = 0; }
    if (y < 0) { h += y; y = 0; }
    if (x + w > pw) w = pw - x;
    if (y + h > ph) h = ph - y;
    for (int r = 0; r < h; r++) memset(pic->plane[plane] + (size_t)(y + r) * (size_t)pic->stride[plane] + x, v, (size_t)(w > 0 ? w : 0));
}

static void sim_luma_rect(const struct sim_picture_s *pic, int x, int y, int w, int h, uint8_t v) {
    sim_pattern_fill(pic, 0, x, y, w, h, v);
}

static void sim_draw_digit(const struct sim_picture_s *pic, int x, int y, int size, int digit) {
    int t = size / 5 + 1; /* stroke thickness */
    int w = size, h = size * 2;
    uint8_t seg = sim_digit_segments[digit];
    sim_luma_rect(pic, x - t, y - t, w + 3 * t, h + 3 * t, 16); /* dark backing so digits read on any band */
    if (seg & 0x01) sim_luma_rect(pic, x, y, w, t, 235);
    if (seg & 0x02) sim_luma_rect(pic, x + w - t, y, t, h / 2, 235);
    if (seg & 0x04) sim_luma_rect(pic, x + w - t, y + h / 2, t, h / 2, 235);
    if (seg & 0x08) sim_luma_rect(pic, x, y + h - t, w, t, 235);
    if (seg & 0x10) sim_luma_rect(pic, x, y + h / 2, t, h / 2, 235);
    if (seg & 0x20) sim_luma_rect(pic, x, y, t, h / 2, 235);
    if (seg & 0x40) sim_luma_rect(pic, x, y + h / 2 - t / 2, w, t, 235);
}

void sim_pattern_draw(const struct sim_picture_s *pic, uint32_t frame_number) {
    int width = pic->width, height = pic->height;
    /* Luma: horizontal bands scrolling down by two rows a frame. */
    for (int y = 0; y < height; y++) {
        uint8_t v = (uint8_t)(48 + (((unsigned)y + frame_number * 2) / 24 % 8) * 20);
        memset(pic->plane[0] + (size_t)y * (size_t)pic->stride[0], v, (size_t)width);
    }
    /* Chroma: a slow colour drift. */
    for (int p = 1; p < 3; p++) {
        uint8_t v = (uint8_t)(p == 1 ? 128 + (frame_number % 64) - 32 : 160 - (frame_number % 64));
        for (int y = 0; y < height / 2; y++)
            memset(pic->plane[p] + (size_t)y * (size_t)pic->stride[p], v, (size_t)width / 2);
    }
    /* A box bouncing across, so motion is visible in every frame. */
    int box = height / 6;
    int span = width - box;
    int pos = (int)(frame_number * 8 % (unsigned)(2 * span));
    int bx = pos < span ? pos : 2 * span - pos;
    sim_luma_rect(pic, bx, height - box - height / 12, box, box, 220);
    sim_pattern_fill(pic, 1, bx / 2, (height - box - height / 12) / 2, box / 2, box / 2, 60);
    /* The frame number, eight digits, top left. */
    int size = height / 14;
    uint32_t n = frame_number;
    for (int i = 7; i >= 0; i--) {
        sim_draw_digit(pic, size / 2 + i * (size + size / 2), size / 2, size, (int)(n % 10));
        n /= 10;
    }
}
