/* shim.h — Google Benchmark, called from C.
 *
 * Google Benchmark is a C++ library; the runtime and its benchmarks are C.
 * This header is the C side of a thin bridge (shim.cc is the other): a
 * benchmark is a C function taking an mp_bench_state, registered under a
 * name, timed with a batched loop:
 *
 *     static void bm_incref(mp_bench_state *st)
 *     {
 *         mp_object *o = mp_int_from_long(1000);
 *         MP_BENCH_LOOP(st) {
 *             MP_INCREF(o);
 *             MP_BENCH_CLOBBER_MEMORY();
 *             MP_DECREF(o);
 *         }
 *         MP_DECREF(o);
 *     }
 *     MP_BENCH_SUITE(register_refcount) { mp_bench_register("01-refcount/incref", bm_incref); }
 *
 * The loop asks the library for all of the run's iterations at once
 * (State::KeepRunningBatch), so what one iteration costs on top of the body
 * is a C for loop's increment and compare, not a call into C++. Measured
 * with 00-shim/empty_loop (an empty body kept alive by
 * MP_BENCH_DO_NOT_OPTIMIZE): 0.28 ns per iteration, about one cycle
 * (median of 9 on the 2-core AMD EPYC build machine, 2026-11-21, with
 * `build/bench/micro --benchmark_filter=00-shim --benchmark_repetitions=9`).
 *
 * Do not `break` out of MP_BENCH_LOOP: it leaves only the inner loop.
 */
#ifndef MP_BENCH_SHIM_H
#define MP_BENCH_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mp_bench_state mp_bench_state; /* one run of one benchmark */
typedef struct mp_bench mp_bench;             /* a registered benchmark */
typedef void (*mp_bench_fn)(mp_bench_state *st);

/* Registers fn under name; returns the benchmark, to add arguments to. */
mp_bench *mp_bench_register(const char *name, mp_bench_fn fn);
/* Adds a run with mp_bench_range(st, 0) == value (Benchmark::Arg). */
mp_bench *mp_bench_arg(mp_bench *b, int64_t value);
/* Names the argument in the benchmark's name: "list_append/n:1024". */
mp_bench *mp_bench_arg_name(mp_bench *b, const char *name);

/* Iterations to run now; 0 when the run is over. Use MP_BENCH_LOOP. */
uint64_t mp_bench_next_batch(mp_bench_state *st);
#define MP_BENCH_LOOP(st)                                                                      \
    for (uint64_t mp_bench_n_; (mp_bench_n_ = mp_bench_next_batch(st)) != 0;)                  \
        for (uint64_t mp_bench_i_ = 0; mp_bench_i_ < mp_bench_n_; mp_bench_i_++)

int64_t mp_bench_range(mp_bench_state *st, int index);
int64_t mp_bench_iterations(mp_bench_state *st);
/* Stops and restarts the clock inside the loop (costly: ~100s of ns). */
void mp_bench_pause(mp_bench_state *st);
void mp_bench_resume(mp_bench_state *st);
/* Rates reported beside the time: items/s and bytes/s. */
void mp_bench_set_items_processed(mp_bench_state *st, int64_t items);
void mp_bench_set_bytes_processed(mp_bench_state *st, int64_t bytes);

typedef enum {
    MP_BENCH_COUNTER_PLAIN,         /* reported as given */
    MP_BENCH_COUNTER_RATE,          /* divided by the run's seconds */
    MP_BENCH_COUNTER_PER_ITERATION, /* divided by the iterations */
} mp_bench_counter_kind;
void mp_bench_counter(mp_bench_state *st, const char *name, double value, mp_bench_counter_kind kind);
/* Marks the run as failed, with a reason in the report. */
void mp_bench_skip_with_error(mp_bench_state *st, const char *message);

/* Parses Google Benchmark's flags, runs the selected benchmarks, returns
 * the exit code (2 for an unknown flag). */
int mp_bench_main(int argc, char **argv);

/* Keeps a value the compiler would otherwise prove unused, and makes it
 * assume all memory may have been read and written (DoNotOptimize). */
#define MP_BENCH_DO_NOT_OPTIMIZE(x) __asm__ volatile("" : : "r,m"(x) : "memory")
/* Forces pending stores to memory and later loads from it (ClobberMemory). */
#define MP_BENCH_CLOBBER_MEMORY() __asm__ volatile("" : : : "memory")

/* A function that runs before main to register a file's benchmarks. */
#define MP_BENCH_SUITE(name)                                                                   \
    static void name(void) __attribute__((constructor));                                       \
    static void name(void)

#ifdef __cplusplus
}
#endif

#endif
