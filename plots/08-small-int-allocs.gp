# caption: Memory blocks still held after making every int of each range of 32 values many times over at run time: values from -5 to 256 come from the small-int cache and cost nothing; every other int is a new object each time.
# lab: 08-small-ints
# data: labs/08-small-ints/small_int_cache.csv
# columns: lo hi made blocks_ours blocks_cpython?
# rows: 3
load 'plots/style.gp'
f = data('labs/08-small-ints/small_int_cache.csv')
eval figure(out)
set datafile separator tab
set title 'The small-int cache: allocations per range of values'
stats f using (column('made') / (column('hi') - column('lo') + 1)) nooutput
set xlabel sprintf('int value (ranges of 32 values, each value made %d times)', STATS_max)
set ylabel 'blocks allocated and kept'
set yrange [0:*]
set offsets 0, 0, graph 0.18, 0
set xtics 64
set mxtics 2
set key top right
set grid noxtics nomxtics
set object 1 rect from -5, graph 0 to 256, graph 1 behind fc rgb '#e8f1f8' fs solid 1.0 noborder
set label 1 'cached: -5 .. 256' at 125.5, graph 0.93 center textcolor rgb '#0072B2'
w = 0.4
cp = twin('blocks_cpython', "f using (column('lo') + (column('hi') - column('lo') + 1) * 0.7):'blocks_cpython':((column('hi') - column('lo') + 1) * w) with boxes ls 2 fs pattern 4 border rgb '#D55E00' title 'CPython 3.11'")
plot f using (column('lo') + (column('hi') - column('lo') + 1) * 0.3):'blocks_ours':((column('hi') - column('lo') + 1) * w) with boxes ls 1 fs solid 0.85 border -1 title 'ours' @cp
