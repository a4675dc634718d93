# caption: What a full collection costs per object it examines, by heap size, in our collector and in CPython's gc.collect() on the same shapes: all objects reachable (live: empty lists in one list; nested: lists of one empty list, in one list), or all of them in two-object garbage cycles.
# lab: bench
# data: bench/gc.csv
# columns: shape:text n+ ours_ns_per_object+ cpython_ns_per_object+
load 'plots/style.gp'
f = data('bench/gc.csv')
eval figure(out)
set datafile separator tab
set title 'Collection cost per object vs heap size'
set xlabel 'objects in the heap (n)'
set ylabel 'ns per object collected or traversed'
eval logx
eval logy_fine
eval tight
set key top left
of(s, c) = strcol('shape') eq s ? column(c) : NaN
plot f using 'n':(of('garbage', 'ours_ns_per_object')) with linespoints ls 4 title 'garbage cycles', \
     f using 'n':(of('garbage', 'cpython_ns_per_object')) with linespoints ls 14 notitle, \
     f using 'n':(of('nested', 'ours_ns_per_object')) with linespoints ls 3 title 'live, nested', \
     f using 'n':(of('nested', 'cpython_ns_per_object')) with linespoints ls 13 notitle, \
     f using 'n':(of('live', 'ours_ns_per_object')) with linespoints ls 1 title 'live objects', \
     f using 'n':(of('live', 'cpython_ns_per_object')) with linespoints ls 11 notitle @twin_key
