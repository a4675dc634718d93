// shim.cc — the C++ side of the C bridge to Google Benchmark. See shim.h.
#include "shim.h"

#include <benchmark/benchmark.h>

struct mp_bench_state {
    benchmark::State *state;
    bool started;
};

struct mp_bench {
    benchmark::internal::Benchmark *b;
};

extern "C" {

mp_bench *mp_bench_register(const char *name, mp_bench_fn fn)
{
    // The library keeps the Benchmark for the whole process; the handle is
    // the same pointer under a C name.
    auto *b = benchmark::RegisterBenchmark(name, [fn](benchmark::State &state) {
        mp_bench_state st{&state, false};
        fn(&st);
    });
    return reinterpret_cast<mp_bench *>(b);
}

mp_bench *mp_bench_arg(mp_bench *b, int64_t value)
{
    reinterpret_cast<benchmark::internal::Benchmark *>(b)->Arg(value);
    return b;
}

mp_bench *mp_bench_arg_name(mp_bench *b, const char *name)
{
    reinterpret_cast<benchmark::internal::Benchmark *>(b)->ArgName(name);
    return b;
}

// The first call asks for every iteration of the run as one batch; the
// second finishes the run (KeepRunningBatch returns false and stops the clock).
uint64_t mp_bench_next_batch(mp_bench_state *st)
{
    if (st->started) {
        st->state->KeepRunningBatch(1);
        return 0;
    }
    st->started = true;
    benchmark::IterationCount n = st->state->max_iterations;
    return st->state->KeepRunningBatch(n) ? static_cast<uint64_t>(n) : 0;
}

int64_t mp_bench_range(mp_bench_state *st, int index) { return st->state->range(index); }

int64_t mp_bench_iterations(mp_bench_state *st) { return st->state->iterations(); }

void mp_bench_pause(mp_bench_state *st) { st->state->PauseTiming(); }

void mp_bench_resume(mp_bench_state *st) { st->state->ResumeTiming(); }

void mp_bench_set_items_processed(mp_bench_state *st, int64_t items)
{
    st->state->SetItemsProcessed(items);
}

void mp_bench_set_bytes_processed(mp_bench_state *st, int64_t bytes)
{
    st->state->SetBytesProcessed(bytes);
}

void mp_bench_counter(mp_bench_state *st, const char *name, double value, mp_bench_counter_kind kind)
{
    benchmark::Counter::Flags flags = benchmark::Counter::kDefaults;
    if (kind == MP_BENCH_COUNTER_RATE)
        flags = benchmark::Counter::kIsRate;
    else if (kind == MP_BENCH_COUNTER_PER_ITERATION)
        flags = benchmark::Counter::kAvgIterations;
    st->state->counters[name] = benchmark::Counter(value, flags);
}

void mp_bench_skip_with_error(mp_bench_state *st, const char *message)
{
    st->state->SkipWithError(message);
}

int mp_bench_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // extern "C"
