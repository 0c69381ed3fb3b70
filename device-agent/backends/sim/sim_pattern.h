/* The simulator's test pattern: moving bands and a box, the frame number in large digits.
 * Built from row fills only (memset), so it costs far less than the encoding. */
#ifndef K230_SIM_PATTERN_H
#define K230_SIM_PATTERN_H
#include <stdint.h>

struct sim_picture_s {
    uint8_t *plane[3]; /* I420: Y, U, V */
    int stride[3];
    int width, height;
};

void sim_pattern_draw(const struct sim_picture_s *pic, uint32_t frame_number);
/* Fills a rectangle of one plane (0: Y; 1, 2: U, V at half size) with v, cut to the picture. */
void sim_pattern_fill(const struct sim_picture_s *pic, int plane, int x, int y, int w, int h, uint8_t v);

#endif
