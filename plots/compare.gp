# plots/compare.gp — two machines compared: the time ratio B/A of each row
# with its interval, on a log axis (so 2x faster and 2x slower are equally
# far from 1), sorted; the band around 1 is the threshold below which no
# difference is called real. bench/compare writes the data and runs it:
#
#   gnuplot -e "data='compare-figure.csv'; stem='out/compare'; rows=N; \
#               xmin=..; xmax=..; xticks='(...)'; threshold=0.05; title='..'" plots/compare.gp
#
# Data columns: y, ratio, lo, hi, label, class (0 geomean, 1 faster, 2 slower).
# The figure grows with its rows, so every label stays readable.

load 'plots/style.gp'

height = 190 + 19 * rows
set datafile separator ','
set key at screen 0.98, screen 0.005 right bottom horizontal reverse Left width 1 samplen 2 nobox
set bmargin 5.5
set title title
set xlabel 'time ratio B/A (log scale; below 1: B is faster)'
set logscale x
set xrange [xmin:xmax]
eval 'set xtics ' . xticks
set mxtics default
set yrange [-1:rows]
set ytics scale 0 font ',11'
set grid noytics nomytics
set object 1 rect from 1 / (1 + threshold), graph 0 to 1 + threshold, graph 1 fc rgb '#eeeeee' fs solid 1.0 noborder behind
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb '#606060' lw 1 dt 2 back

# style.gp reads the first line as column headers. Geomeans black diamonds, faster green (style 3), slower orange (style 4).
do for [ext in 'png svg'] {
    if (ext eq 'png') {
        set terminal pngcairo size 1000, height font font_name . ',13' noenhanced
    } else {
        set terminal svg size 1000, height dynamic font font_name . ',13' noenhanced background rgb 'white'
    }
    set output stem . '.' . ext
    plot data using ($6 == 0 ? $2 : NaN):1:3:4:ytic(5) with xerrorbars ls 8 dt solid pt 13 ps 1.2 title 'geometric mean', \
         data using ($6 == 1 ? $2 : NaN):1:3:4 with xerrorbars ls 3 dt solid pt 7 title 'B faster', \
         data using ($6 == 2 ? $2 : NaN):1:3:4 with xerrorbars ls 4 dt solid pt 7 title 'B slower'
    unset output
}
