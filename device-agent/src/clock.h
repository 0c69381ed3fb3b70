/* The board's monotonic clock in microseconds: the time base of every pts. */
#ifndef K230_CLOCK_H
#define K230_CLOCK_H
#include <stdint.h>

int64_t clock_now_us(void);
void clock_sleep_until_us(int64_t deadline_us);

#endif
