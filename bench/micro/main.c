/* The micro-benchmark binary: one runtime session around every benchmark
 * the bench/micro/ files registered. Flags are Google Benchmark's. */
#include <stdio.h>

#include "mp.h"
#include "shim.h"

int main(int argc, char **argv)
{
    if (mp_init() < 0) {
        fprintf(stderr, "micro: cannot start the runtime: %s\n", mp_err_message());
        return 1;
    }
    int status = mp_bench_main(argc, argv);
    mp_fini();
    return status;
}
