# plots/compare-all.gp — many machines against one reference: per machine
# (a row, the reference on top), its time relative to the reference for each
# group of benchmarks (a dot per lab topic, slightly offset so none hides
# another) and over everything (black, with its bootstrap interval); log
# axis, so 2x faster and 2x slower are equally far from 1.
# bench/compare-all writes the data and runs it:
#
#   gnuplot -e "data='compare-all-figure.csv'; stem='out/compare-all'; machines=N; \
#               series=S; topics=T; names='w1 w2 ..'; xmin=..; xmax=..; xticks='(...)'; title='..'" \
#           plots/compare-all.gp
#
# Data columns: y (machine), ratio, lo, hi, machine name, series (1..S: the
# T topics, then the summaries; S is the overall geometric mean).

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

# The dots of a machine share its row, spread over 0.6 of it. Topics
# (series 1 .. topics) take styles 1-7, filled, changing point type when the
# colours come round again; the summaries after them are black open symbols;
# the last series, the overall mean, a black diamond with its interval.
dodge(s) = (s - series / 2.0) * 0.6 / series
topic_pt(s) = s <= 7 ? 7 : (s <= 14 ? 5 : 9)
summary_pt(s) = (s - topics) % 2 ? 6 : 4
do for [ext in 'png svg'] {
    if (ext eq 'png') {
        set terminal pngcairo size 1000, height font font_name . ',13' noenhanced
    } else {
        set terminal svg size 1000, height dynamic font font_name . ',13' noenhanced background rgb 'white'
    }
    set output stem . '.' . ext
    plot for [s=1:topics] data using ($6 == s ? $2 : NaN):($1 + dodge(s)) with points \
             ls ((s - 1) % 7 + 1) pt topic_pt(s) ps 0.9 title word(names, s), \
         for [s=topics+1:series-1] data using ($6 == s ? $2 : NaN):($1 + dodge(s)) with points \
             ls 8 pt summary_pt(s) ps 1.2 title word(names, s), \
         data using ($6 == series ? $2 : NaN):1:3:4:ytic(5) with xerrorbars ls 8 dt solid pt 13 ps 1.4 \
             title word(names, series)
    unset output
}
