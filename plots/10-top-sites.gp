# caption: tracemalloc's top lines by traced size, in ours and in CPython: each bar is the memory still allocated from one source line (ours names lines of the lab's C, CPython lines of twin.py), ranked the same way.
# lab: 10-tracemalloc
# data: labs/10-tracemalloc/top_lines.csv
# columns: rank runtime:text site:text size+ count
# rows: 2
load 'plots/style.gp'
f = data('labs/10-tracemalloc/top_lines.csv')
eval figure(out)
set datafile separator tab
set title 'tracemalloc: top source lines by traced size'
set xlabel 'rank in snapshot.statistics(''lineno'')'
set ylabel 'traced size (KiB)'
eval logy_plain
set offsets 0.5, 0.5, graph 0.25, 0
set xtics 1 scale 0
set key top right
set boxwidth 0.38
set grid noxtics nomxtics
is(rt) = strcol('runtime') eq rt
x(rt, dx) = is(rt) ? column('rank') + dx : NaN
kib = 'column(''size'') / 1024.0'
stats f using (is('cpython') ? 1 : 0) nooutput
cp = STATS_sum == 0 ? '' : ", f using (x('cpython', 0.2)):(@kib) with boxes ls 2 fs pattern 4 border rgb '#D55E00' title 'CPython 3.11 (lines of twin.py)', f using (x('cpython', 0.2)):(@kib):(strcol('site')) with labels rotate by 90 left offset 0, 0.4 font ',10' notitle"
plot f using (x('ours', -0.2)):(@kib) with boxes ls 1 fs solid 0.85 border -1 title 'ours (lines of lab.c)', \
     f using (x('ours', -0.2)):(@kib):(strcol('site')) with labels rotate by 90 left offset 0, 0.4 font ',10' notitle @cp
