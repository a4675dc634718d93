# caption: Arenas during the fragmentation scenario: one surviving 64-byte block keeps a whole 1 MiB arena in use; when the survivors go, CPython unmaps all but one empty arena, while ours keeps drained arenas mapped as spares until mp_obmalloc_trim().
# lab: 04-pymalloc
# data: labs/04-pymalloc/arenas_over_time.csv
# columns: step phase:text arenas_mapped arenas_in_use cpython_arenas?
# rows: 3
load 'plots/style.gp'
f = data('labs/04-pymalloc/arenas_over_time.csv')
eval figure(out)
set datafile separator tab
set title 'pymalloc arenas over the fragmentation scenario'
set xlabel 'phase of the scenario'
set ylabel 'arenas (1 MiB each)'
set yrange [0:*]
set ytics 1
set offsets 0.25, 0.25, 0.6, 0
set key bottom center
cp = twin('cpython_arenas', "f using 'step':'cpython_arenas' with linespoints ls 2 ps 1.3 title 'in use (CPython 3.11)'")
plot f using 'step':'arenas_mapped':xtic(strcol('phase')) with linespoints ls 3 title 'mapped (ours)', \
     f using 'step':'arenas_in_use' with linespoints ls 1 title 'in use (ours)' @cp
