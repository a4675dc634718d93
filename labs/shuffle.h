/* shuffle.h — a Fisher-Yates shuffle from a fixed seed, so the order is the
 * same on every machine and every run. Lab 12 and its benchmark
 * (bench/micro/12-structures.c) look up shuffled ints with it. */
#ifndef LAB_SHUFFLE_H
#define LAB_SHUFFLE_H

#include <stdint.h>

#include "mp.h"

static inline void lab_shuffle(mp_object **v, long n)
{
    uint64_t state = 12345;
    for (long i = n - 1; i > 0; i--) {
        state = state * 6364136223846793005u + 1442695040888963407u; /* Knuth's MMIX LCG */
        long j = (long)((state >> 33) % (uint64_t)(i + 1));
        mp_object *t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

#endif
