# caption: Allocation rate of pymalloc (ours) and the C library's malloc for small blocks, an allocation and a free each: pymalloc's size classes make a small allocation a pointer pop from a pool's free list.
# lab: 04-pymalloc
# data: labs/04-pymalloc/alloc_speed.csv
# columns: size+ ns_ours+ ns_system+
# rows: 3
load 'plots/style.gp'
f = data('labs/04-pymalloc/alloc_speed.csv')
eval figure(out)
set datafile separator tab
set title 'Small-object allocation rate: pymalloc vs malloc'
set xlabel 'block size (bytes)'
set ylabel 'allocations + frees per second (millions)'
set logscale x 2
set format x '%g'
set yrange [0:*]
set autoscale xfixmin; set autoscale xfixmax
set offsets graph 0.04, graph 0.04, graph 0.15, 0
set key top right
plot f using 'size':(1000.0 / column('ns_ours')) with linespoints ls 1 title 'ours (pymalloc model)', \
     f using 'size':(1000.0 / column('ns_system')) with linespoints ls 3 title 'the system malloc'
