# caption: Time for one allocation and its free, by block size, in our pymalloc model, the C library's malloc and CPython's own PyObject_Malloc (Google Benchmark medians): left, a batch allocated then freed; right, a working set where each step frees a random block and allocates its replacement.
# lab: bench
# data: bench/gbench.json
# table: batch 04-obmalloc/batch/
# columns: size+ ours+ system+ cpython+?
# table: random 04-obmalloc/random/
# columns: size+ ours+ system+ cpython+?
load 'plots/style.gp'
fig_w = 1300
eval figure(out)
set datafile separator tab
set multiplot layout 1,2 title 'Allocator speed vs block size: ours, the system malloc, CPython'
set logscale x 2
set format x '%g'
set xlabel 'block size (bytes)'
set ylabel 'ns per allocation + free'
set yrange [0:*]
set autoscale xfixmin; set autoscale xfixmax
set offsets graph 0.04, graph 0.04, graph 0.2, 0
set key top left
# (macros expand before a loop body runs, so the two panels are written out)
f = table('batch')
set title 'a batch: allocate them all, then free them all'
cp = twin('cpython', "f using 'size':'cpython' with linespoints ls 2 title 'CPython 3.11 (PyObject_Malloc)'")
plot f using 'size':'ours' with linespoints ls 1 title 'ours (pymalloc model)', \
     f using 'size':'system' with linespoints ls 3 title 'the system malloc' @cp
f = table('random')
set title 'random replacement in a working set'
plot f using 'size':'ours' with linespoints ls 1 title 'ours (pymalloc model)', \
     f using 'size':'system' with linespoints ls 3 title 'the system malloc' @cp
unset multiplot
