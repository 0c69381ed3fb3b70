/* The live pipeline's drop policy (stream.c): when the sink falls behind, the camera is never made
 * to wait; frames are dropped and counted, an IDR is asked for once, and what is sent next starts
 * at a keyframe, so the host never gets a frame whose references it lacks. */
#include <pthread.h>
#include <time.h>

#include "check.h"
#include "test_camera.h"
#include "stream.h"

/* ---- the camera: tests/test_camera.h; each call of test_camera_frame is one captured frame */

/* ---- a sink that stands for a slow link: it holds each fragment until the test opens its gate */

#define TEST_MAX_SENT 64
static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool open;      /* fragments pass */
    int fail_next;  /* this many fragments fail, as a link write that broke */
    int waiting;    /* fragments held at the gate */
    int sent;
    bool keyframe[TEST_MAX_SENT];
    uint32_t dropped[TEST_MAX_SENT];
} sink = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, 0, 0, {0}, {0}};

static int test_sink_init(void *ctx, const struct fmp4_track_s *track, const uint8_t *init, size_t size) {
    return (void)ctx, (void)track, (void)init, (void)size, 0;
}

static int test_sink_fragment(void *ctx, const struct stream_fragment_s *f) {
    (void)ctx;
    pthread_mutex_lock(&sink.lock);
    sink.waiting++;
    pthread_cond_broadcast(&sink.changed);
    while (!sink.open) pthread_cond_wait(&sink.changed, &sink.lock);
    sink.waiting--;
    int rc = 0;
    if (sink.fail_next > 0) {
        sink.fail_next--;
        rc = -1;
    } else if (sink.sent < TEST_MAX_SENT) {
        sink.keyframe[sink.sent] = f->keyframe;
        sink.dropped[sink.sent] = f->dropped;
        sink.sent++;
    }
    pthread_cond_broadcast(&sink.changed);
    pthread_mutex_unlock(&sink.lock);
    return rc;
}

/* Waits (at most 5 s) until the sink has sent n fragments and holds `waiting` at its gate. */
static bool test_sink_wait(int sent, int waiting) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&sink.lock);
    int rc = 0;
    while ((sink.sent < sent || sink.waiting != waiting) && rc == 0)
        rc = pthread_cond_timedwait(&sink.changed, &sink.lock, &until);
    bool ok = sink.sent >= sent && sink.waiting == waiting;
    pthread_mutex_unlock(&sink.lock);
    return ok;
}

/* Waits (at most 5 s) until the pipeline has counted n drops. */
static bool test_stream_dropped(struct stream_s *s, uint32_t n) {
    struct timespec step = {0, 1000 * 1000};
    for (int i = 0; i < 5000 && stream_stats(s).dropped < n; i++) nanosleep(&step, NULL);
    return stream_stats(s).dropped == n;
}

static void test_sink_gate(bool open) {
    pthread_mutex_lock(&sink.lock);
    sink.open = open;
    pthread_cond_broadcast(&sink.changed);
    pthread_mutex_unlock(&sink.lock);
}

static void test_sink_reset(void) {
    pthread_mutex_lock(&sink.lock);
    sink.sent = sink.fail_next = 0;
    pthread_mutex_unlock(&sink.lock);
}

static const struct camera_settings_s settings = {640, 480, 30, CAMERA_CODEC_H264, CAMERA_PROFILE_BASELINE, 2000, 30, {AUDIO_CODEC_OFF, 0}, CAMERA_SOURCE_CAMERA};
#define DEPTH 4

/* Starts a stream into the closed gate and sends it a keyframe, which the sink then holds. */
static void test_stream_start_held(struct stream_s *s) {
    stream_init(s, &test_camera, (struct stream_sink_s){NULL, test_sink_init, test_sink_fragment}, DEPTH);
    char err[200];
    CHECK_EQ_INT(stream_start(s, &settings, err, sizeof(err)), 0);
    test_sink_reset();
    test_sink_gate(false);
    CHECK(!test_camera_frame(true));
    CHECK(test_sink_wait(0, 1));
}

static void test_a_full_queue_drops_to_the_next_idr(void) {
    struct stream_s s;
    test_stream_start_held(&s);
    /* DEPTH - 1 frames fill the queue behind the keyframe held at the gate. */
    for (int i = 0; i < DEPTH - 1; i++) CHECK(!test_camera_frame(false));
    /* The next frame finds the queue full: it is dropped and the camera is asked, once, for an IDR. */
    CHECK(test_camera_frame(false));
    CHECK(!test_camera_frame(false));
    CHECK(!test_camera_frame(false));
    CHECK_EQ_INT(stream_stats(&s).dropped, 3);

    /* The link catches up: what was queued goes out; the frames after the gap wait for a keyframe. */
    test_sink_gate(true);
    CHECK(test_sink_wait(DEPTH, 0));
    CHECK(!test_camera_frame(false)); /* still no keyframe: dropped, without asking again */
    CHECK_EQ_INT(stream_stats(&s).dropped, 4);
    CHECK(!test_camera_frame(true));
    CHECK(!test_camera_frame(false));
    CHECK(test_sink_wait(DEPTH + 2, 0));
    stream_stop(&s);

    CHECK_EQ_INT(sink.sent, DEPTH + 2);
    CHECK(sink.keyframe[0]);
    for (int i = 1; i < DEPTH; i++) CHECK(!sink.keyframe[i]);
    CHECK(sink.keyframe[DEPTH]); /* the first frame after the drop is the IDR */
    CHECK_EQ_INT(sink.dropped[DEPTH], 4); /* and it tells the host how many it lost */
    CHECK(!sink.keyframe[DEPTH + 1]);
    CHECK_EQ_INT(stream_stats(&s).sent, DEPTH + 2);
    stream_destroy(&s);
}

static void test_a_fragment_that_failed_drops_what_depends_on_it(void) {
    struct stream_s s;
    test_stream_start_held(&s);
    CHECK(!test_camera_frame(false));
    CHECK(!test_camera_frame(false));
    /* The keyframe's write breaks: the two frames queued behind it reference it, so they go too. */
    pthread_mutex_lock(&sink.lock);
    sink.fail_next = 1;
    pthread_mutex_unlock(&sink.lock);
    test_sink_gate(true);
    CHECK(test_stream_dropped(&s, 3));
    CHECK(test_camera_frame(false)); /* the pipeline asks for an IDR with the next frame */
    CHECK(!test_camera_frame(true));
    CHECK(test_sink_wait(1, 0));
    stream_stop(&s);

    CHECK_EQ_INT(sink.sent, 1);
    CHECK(sink.keyframe[0]);
    CHECK_EQ_INT(sink.dropped[0], 4); /* the failed keyframe, the two behind it, the frame before the IDR */
    stream_destroy(&s);
}

static void test_a_closed_gate_holds_pictures_until_a_keyframe(void) {
    struct keyframe_gate_s g;
    keyframe_gate_init(&g);
    CHECK(keyframe_gate_pass(&g, false));
    keyframe_gate_close(&g);
    CHECK(!keyframe_gate_pass(&g, false));
    CHECK(keyframe_gate_pass(&g, true));
    CHECK(keyframe_gate_pass(&g, false));
}

int main(void) {
    test_a_closed_gate_holds_pictures_until_a_keyframe();
    test_a_full_queue_drops_to_the_next_idr();
    test_a_fragment_that_failed_drops_what_depends_on_it();
    return check_report("test_stream");
}
