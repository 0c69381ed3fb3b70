/* The display's write-back, under the names of the MPP the agent is built with. k_vo_wbc_attr has had
 * two shapes (docs/display-source.md): the K230 SDK's and canmv-k230/mpp's up to 2024 name the
 * frame's size (target_size; the frames come from the common VB pools, k230_media.c), and the VO of
 * canmv_k230 since 2025 (k_vo_comm.h defines K_VO_DEFAULT_MIX_ORDER) allocates blk_cnt frames of its
 * own, with their size in dump_size where the firmware has it (K230_WBC_DUMP_SIZE=0 for the MPP
 * whose k_vo_wbc_attr holds blk_cnt alone). */
#include "k230_display.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "k_type.h"
#include "k_vo_comm.h"
#include "mpi_vo_api.h"

#ifndef K230_WBC_DUMP_SIZE
#define K230_WBC_DUMP_SIZE 1
#endif

static atomic_bool k230_display_in_use;
static _Atomic int64_t k230_display_offset_us = K230_MEDIA_OFFSET_UNSET;

static void k230_display_attr(k_vo_wbc_attr *attr, int width, int height) {
    memset(attr, 0, sizeof(*attr));
#if defined(K_VO_DEFAULT_MIX_ORDER)
    attr->blk_cnt = K230_MEDIA_WBC_BUFS;
#if K230_WBC_DUMP_SIZE
    attr->dump_size.width = (k_u32)width;
    attr->dump_size.height = (k_u32)height;
#else
    (void)width, (void)height; /* the write-back gives the display's own size */
#endif
#else
    /* As CanMV's firmware of 2024 sets it (port/omv/ide_dbg.c): the size, the rest left 0. */
    attr->target_size.width = (k_u32)width;
    attr->target_size.height = (k_u32)height;
#endif
}

int k230_display_open(int width, int height, char *err, size_t err_len) {
    if (atomic_exchange(&k230_display_in_use, true)) {
        snprintf(err, err_len, "the display is streamed already (its write-back has one reader)");
        return -1;
    }
    k_vo_wbc_attr attr;
    k230_display_attr(&attr, width, height);
    k_s32 rc = kd_mpi_vo_set_wbc_attr(&attr);
    if (rc == K_SUCCESS) {
        rc = kd_mpi_vo_enable_wbc();
        if (rc != K_SUCCESS)
            snprintf(err, err_len, "the display's write-back would not start (kd_mpi_vo_enable_wbc 0x%x)", (unsigned)rc);
    } else {
        snprintf(err, err_len, "the display's write-back refused %dx%d (kd_mpi_vo_set_wbc_attr 0x%x): is a display set up?",
                 width, height, (unsigned)rc);
    }
    if (rc != K_SUCCESS) atomic_store(&k230_display_in_use, false);
    return rc == K_SUCCESS ? 0 : -1;
}

int k230_display_take(k_video_frame_info *frame, int wait_ms) {
    memset(frame, 0, sizeof(*frame));
    return kd_mpi_wbc_dump_frame(frame, (k_u32)wait_ms) == K_SUCCESS ? 0 : -1;
}

void k230_display_give_back(const k_video_frame_info *frame) {
    k_s32 rc = kd_mpi_wbc_dump_release(frame);
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_wbc_dump_release: 0x%x\n", (unsigned)rc);
}

int64_t k230_display_time_us(const k_video_frame_info *frame, int64_t taken_us) {
    if (frame->v_frame.pts == 0) return taken_us;
    return k230_media_stamp_us(&k230_display_offset_us, frame->v_frame.pts, "the display's write-back pts");
}

void k230_display_close(void) {
    k_s32 rc = kd_mpi_vo_disable_wbc();
    if (rc != K_SUCCESS) fprintf(stderr, "k230: kd_mpi_vo_disable_wbc: 0x%x\n", (unsigned)rc);
    atomic_store(&k230_display_in_use, false);
}
