# caption: gc.set_threshold's trade-off, over the same program: a larger generation-0 threshold means fewer collections, but more garbage waits between them, so the peak memory grows with the threshold while the throughput barely moves.
# lab: 03-generations
# data: labs/03-generations/threshold_tradeoff.csv
# columns: young_threshold+ middle_threshold collections_ours collections_cpython? ns_per_cycle_ours+ ns_per_cycle_cpython+? peak_ours+ peak_cpython+?
# rows: 3
load 'plots/style.gp'
f = data('labs/03-generations/threshold_tradeoff.csv')
fig_w = 1200
eval figure(out)
set datafile separator tab
# Only the rows that vary the first threshold; (1000, 15, 15) is another question.
young(c) = column('middle_threshold') == 10 ? column(c) : NaN
set multiplot layout 1,2 title 'gc.set_threshold(t, 10, 10): throughput vs peak memory'
eval logx
eval tight
set xlabel 'generation-0 threshold t'
set title 'throughput'
set ylabel 'cycles made and collected per µs'
set yrange [0:*]
set offsets graph 0.04, graph 0.04, graph 0.1, 0
set key center right
cp = twin('ns_per_cycle_cpython', "f using (young('young_threshold')):(1000.0 / young('ns_per_cycle_cpython')) with linespoints ls 2 title 'CPython 3.11'")
plot f using (young('young_threshold')):(1000.0 / young('ns_per_cycle_ours')) with linespoints ls 1 title 'ours' @cp
set title 'peak memory'
set ylabel 'peak traced memory (KiB)'
set autoscale y
eval logy
eval tight
set key top left
cp = twin('peak_cpython', "f using (young('young_threshold')):(young('peak_cpython')/1024.0) with linespoints ls 2 title 'CPython 3.11'")
plot f using (young('young_threshold')):(young('peak_ours')/1024.0) with linespoints ls 1 title 'ours' @cp
unset multiplot
