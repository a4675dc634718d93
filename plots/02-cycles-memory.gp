# caption: Memory held by a loop that makes one reference cycle per iteration: with the collector off it grows without bound, with it on it stays bounded and falls each time a collection frees the cycles.
# lab: 02-cycles
# data: labs/02-cycles/cycles_memory.csv
# columns: iteration ours_on ours_off cpython_on? cpython_off?
load 'plots/style.gp'
f = data('labs/02-cycles/cycles_memory.csv')
eval figure(out)
set datafile separator tab
set title 'Reference cycles: memory over iterations, gc on vs off'
set xlabel 'iterations (one cycle made and dropped in each)'
set ylabel 'memory held by the loop (KiB)'
set yrange [0:*]
eval tight
set offsets graph 0.02, graph 0.02, graph 0.08, 0
set key top left
kib(c) = column(c) / 1024.0
cp_on = twin('cpython_on', "f using 'iteration':(kib('cpython_on')) with lines ls 11 title 'gc on (CPython)'")
cp_off = twin('cpython_off', "f using 'iteration':(kib('cpython_off')) with lines ls 14 title 'gc off (CPython)'")
plot f using 'iteration':(kib('ours_on')) with lines ls 1 title 'gc on (ours)' @cp_on, \
     f using 'iteration':(kib('ours_off')) with lines ls 4 title 'gc off (ours)' @cp_off
