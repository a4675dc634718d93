# plots/compare-all.gp — many machines against one reference: per machine
# (a row, the reference on top), its time relative to the reference for each
# group of benchmarks (a dot per lab topic, slightly offset so none hides
# another) and over everything (black, with its bootstrap interval); log
# axis, so 2x faster and 2x slower are equally far from 1.
# bench/compare-all writes the data and runs it:
#
#   gnuplot -e "data='compare-all-figure.csv'; stem='out/compare-all'; machines=N; \
#               series=S; names='w1 w2 ..'; xmin=..; xmax=..; xticks='(...)'; title='..'" \
#           plots/compare-all.gp
#
# Data columns: y (machine), ratio, lo, hi, machine name, series (1..S; S is
# the overall geometric mean, the others the topics and summaries in order).

load 'plots/style.gp'

key_rows = ceil((series + 0.0) / 4)
height = 170 + 40 * machines + 24 * key_rows
set datafile separator ','
set key outside bottom center horizontal maxcols 4 reverse Left width 2 samplen 1 nobox
set title title
set xlabel 'time relative to the reference (log scale; below 1: faster)'
set logscale x
set xrange [xmin:xmax]
eval 'set xtics ' . xticks
set mxtics default
set yrange [-0.7:machines - 0.3]
set ytics scale 0
set grid noytics nomytics
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb '#606060' lw 1 dt 2 back

# The topics' dots share the machine's row, spread over 0.6 of it; style 8
# (black) is kept for the overall mean, so the topics use styles 1-7 and
# change point type when the colours come round again.
dodge(s) = (s - series / 2.0) * 0.6 / series
do for [ext in 'png svg'] {
    if (ext eq 'png') {
        set terminal pngcairo size 1000, height font font_name . ',13' noenhanced
    } else {
        set terminal svg size 1000, height dynamic font font_name . ',13' noenhanced background rgb 'white'
    }
    set output stem . '.' . ext
    plot for [s=1:series-1] data skip 1 using ($6 == s ? $2 : NaN):($1 + dodge(s)) with points \
             ls ((s - 1) % 7 + 1) pt (s <= 7 ? 7 : 5) ps 0.9 title word(names, s), \
         data skip 1 using ($6 == series ? $2 : NaN):1:3:4:ytic(5) with xerrorbars ls 8 dt solid pt 13 ps 1.4 \
             title word(names, series)
    unset output
}
