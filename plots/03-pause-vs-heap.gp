# caption: How long one full collection pauses the program, by the number of live container objects it must traverse: the pause grows in proportion to the heap, in our collector and in CPython's.
# lab: 03-generations
# data: labs/03-generations/pause_vs_heap.csv
# columns: n+ ours_ms+ cpython_ms+?
load 'plots/style.gp'
f = data('labs/03-generations/pause_vs_heap.csv')
eval figure(out)
set datafile separator tab
set title 'A full collection: pause vs heap size'
set xlabel 'live container objects in the heap'
set ylabel 'pause of gc.collect() (ms)'
eval logx
eval logy_plain
eval tight
cp = twin('cpython_ms', "f using 'n':'cpython_ms' with linespoints ls 2 title 'CPython 3.11'")
plot f using 'n':'ours_ms' with linespoints ls 1 title 'ours' @cp
