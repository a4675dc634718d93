# caption: Cost per item of sequence operations by size, log-log (Google Benchmark medians): left, a queue of n items (append, then pop(0) or popleft()), where list and array move every item and deque does not; right, n appends to an empty container, beside a bare C pointer array grown the same way.
# lab: bench
# data: bench/gbench.json
# table: sequences 06-sequences/
# columns: n+ list/queue+ array/queue+ deque/queue+ baseline/ring_queue+ list/append+ array/append+ deque/append+ baseline/pointer_array_append+
load 'plots/style.gp'
f = table('sequences')
fig_w = 1300
eval figure(out)
set datafile separator tab
set multiplot layout 1,2 title 'Container operations vs n (ours)'
eval logx
eval logy_plain
eval tight
set xlabel 'items in the container (n)'
set ylabel 'ns per item'
set key top left
set title 'queue: append + pop(0) / popleft()'
plot f using 'n':'list/queue' with linespoints ls 4 title 'list', \
     f using 'n':'array/queue' with linespoints ls 6 title 'array', \
     f using 'n':'deque/queue' with linespoints ls 1 title 'deque', \
     f using 'n':'baseline/ring_queue' with linespoints ls 8 dt 3 title 'C ring buffer'
set title 'n appends, then the container freed'
eval logy_fine
set key bottom left
plot f using 'n':'list/append' with linespoints ls 4 title 'list', \
     f using 'n':'array/append' with linespoints ls 6 title 'array', \
     f using 'n':'deque/append' with linespoints ls 1 title 'deque', \
     f using 'n':'baseline/pointer_array_append' with linespoints ls 8 dt 3 title 'C pointer array'
unset multiplot
