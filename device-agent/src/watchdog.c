#include "watchdog.h"

#include <signal.h>
#include <string.h>

#include "clock.h"

#define WATCHDOG_SIGNAL SIGUSR2
#define WATCHDOG_REPEAT_US 50000 /* how often an overrunning thread is interrupted again */

static void watchdog_on_signal(int sig) {
    (void)sig; /* its only job is to make a blocking call return EINTR */
}

static void *watchdog_run(void *arg) {
    struct watchdog_s *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        if (w->deadline_us == 0) {
            w->idle_waiting = true;
            pthread_cond_wait(&w->armed_cond, &w->lock);
            w->idle_waiting = false;
            continue;
        }
        int64_t now = clock_now_us();
        if (now >= w->deadline_us) pthread_kill(w->target, WATCHDOG_SIGNAL);
        int64_t wake = now >= w->deadline_us ? now + WATCHDOG_REPEAT_US : w->deadline_us;
        if (wake > now + WATCHDOG_REPEAT_US) wake = now + WATCHDOG_REPEAT_US; /* a re-armed, later deadline */
        pthread_mutex_unlock(&w->lock);
        clock_sleep_until_us(wake);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int watchdog_init(struct watchdog_s *w) {
    memset(w, 0, sizeof(*w));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = watchdog_on_signal; /* no SA_RESTART: the call must return */
    sigemptyset(&sa.sa_mask);
    if (sigaction(WATCHDOG_SIGNAL, &sa, NULL) < 0) return -1;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->armed_cond, NULL);
    if (pthread_create(&w->thread, NULL, watchdog_run, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->armed_cond);
        return -1;
    }
    return 0;
}

void watchdog_destroy(struct watchdog_s *w) {
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->armed_cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->armed_cond);
}

void watchdog_arm(struct watchdog_s *w, int64_t deadline_us) {
    pthread_mutex_lock(&w->lock);
    w->target = pthread_self();
    w->deadline_us = deadline_us > 0 ? deadline_us : 1;
    if (w->idle_waiting) pthread_cond_signal(&w->armed_cond);
    pthread_mutex_unlock(&w->lock);
}

void watchdog_disarm(struct watchdog_s *w) {
    pthread_mutex_lock(&w->lock);
    w->deadline_us = 0;
    pthread_mutex_unlock(&w->lock);
}
