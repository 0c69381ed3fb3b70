/* Interrupts a blocking system call that overruns its deadline: the thread that armed the watchdog
 * gets a signal whose handler does nothing, so its call returns EINTR (or a short count). Blocking
 * writes move a PTY or USB link at its full rate; this is how they still give up on a stalled host. */
#ifndef K230_WATCHDOG_H
#define K230_WATCHDOG_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct watchdog_s {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t armed_cond;
    pthread_t target;      /* the armed thread */
    int64_t deadline_us;   /* 0: nothing armed */
    bool idle_waiting;     /* the watchdog sleeps until something is armed */
    bool stopping;
};

/* 0, or -1 when its thread cannot start. Installs the (process-wide, empty) signal handler. */
int watchdog_init(struct watchdog_s *w);
void watchdog_destroy(struct watchdog_s *w);
/* Watches the calling thread until watchdog_disarm: past deadline_us it is interrupted, again and
 * again until it disarms (a signal that lands just before the call begins is not lost). */
void watchdog_arm(struct watchdog_s *w, int64_t deadline_us);
void watchdog_disarm(struct watchdog_s *w);

#endif
