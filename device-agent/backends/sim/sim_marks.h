/* The marks the simulated camera and microphone put on each whole second of the board clock, so
 * sync can be measured from any recording: the camera's sensor grid is aligned to the clock, so a
 * frame is captured at every whole second; that frame's top-left block is white and every other
 * frame's black, and the microphone's tone burst starts at the same instant. docs/audio.md. */
#ifndef K230_SIM_MARKS_H
#define K230_SIM_MARKS_H

#define SIM_MARK_BLOCK 64         /* the corner block's side, in pixels */
#define SIM_MARK_WHITE 235        /* Y of the block on the frame of a whole second */
#define SIM_MARK_BLACK 16         /* Y of the block on every other frame */
#define SIM_MARK_TONE_US 100000   /* the tone burst's length */

#endif
