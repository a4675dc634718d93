# plots/style.gp — the look every memlab figure shares. A figure script
# loads it first (`load 'plots/style.gp'`), then calls `call 'plots/style.gp'`
# never: this file only sets state and defines the line styles below.
#
# Palette: Okabe & Ito's eight colours, chosen to stay distinct under the
# common colour-vision deficiencies. Style 1 is always "ours" and style 2
# always "CPython", so a reader learns the pair once for every figure.
#
#   ls 1 ours (blue)        ls 2 CPython (vermillion)   ls 3 the system (green)
#   ls 4 orange   ls 5 sky blue   ls 6 reddish purple   ls 7 yellow   ls 8 black
#
# A figure with several series per runtime gives each series a colour and
# draws CPython's twin of series N with style 10+N: the same colour, dashed,
# open markers. So "solid = ours, dashed = CPython" holds in every figure.
#
# Text is `noenhanced`: names such as list_resize or gc_collect_main print
# as written instead of turning the underscore into a subscript.
#
# Loading this file resets every setting, so a figure script run twice in
# one gnuplot (once per format, as plots/draw does) starts clean each time.

reset
set encoding utf8
set termoption noenhanced
set border 3 lw 1 lc rgb '#404040'
set tics nomirror out scale 0.6 textcolor rgb '#202020'
set grid xtics ytics mxtics mytics lw 0.6 lc rgb '#e4e4e4', lw 0.4 lc rgb '#f2f2f2'
set key top left Left reverse noopaque samplen 2.5 spacing 1.15 box lc rgb '#d0d0d0'
set datafile separator ','
set datafile missing 'nan'
set datafile columnheaders
set style fill solid 0.85 border -1

set style line 1 lc rgb '#0072B2' lw 2.2 pt 7 ps 0.8
set style line 2 lc rgb '#D55E00' lw 2.2 pt 5 ps 0.8 dt 2
set style line 3 lc rgb '#009E73' lw 2.2 pt 9 ps 0.9
set style line 4 lc rgb '#E69F00' lw 2.2 pt 11 ps 0.9
set style line 5 lc rgb '#56B4E9' lw 2.2 pt 13 ps 0.9
set style line 6 lc rgb '#CC79A7' lw 2.2 pt 3 ps 0.9
set style line 7 lc rgb '#F0E442' lw 2.2 pt 1 ps 0.9
set style line 8 lc rgb '#000000' lw 2.2 pt 2 ps 0.9
set style line 11 lc rgb '#0072B2' lw 2.0 pt 6 ps 0.9 dt 2
set style line 12 lc rgb '#D55E00' lw 2.0 pt 4 ps 0.9 dt 2
set style line 13 lc rgb '#009E73' lw 2.0 pt 8 ps 1.0 dt 2
set style line 14 lc rgb '#E69F00' lw 2.0 pt 10 ps 1.0 dt 2
set style line 15 lc rgb '#56B4E9' lw 2.0 pt 12 ps 1.0 dt 2
set style line 16 lc rgb '#CC79A7' lw 2.0 pt 3 ps 1.0 dt 2
set style line 18 lc rgb '#000000' lw 2.0 pt 2 ps 1.0 dt 2
set style increment user

# The two terminals every figure is drawn with. plots/draw sets `out` (a
# .png or .svg path) and runs the script once per format; the script sets
# fig_w/fig_h if it needs another size, then calls `eval figure(out)`
# before its plot.
font_name = 'DejaVu Sans'
fig_w = 1000
fig_h = 620
png(path) = sprintf("set terminal pngcairo size %d,%d font '%s,13' noenhanced; set output '%s'", fig_w, fig_h, font_name, path)
svg(path) = sprintf("set terminal svg size %d,%d dynamic font '%s,13' noenhanced background rgb 'white'; set output '%s'", fig_w, fig_h, font_name, path)
figure(path) = (strlen(path) > 4 && path[strlen(path)-3:] eq '.svg') ? svg(path) : png(path)

# Where a figure's inputs are: plots/draw checks each one, then hands the
# script a tab-separated copy (gnuplot's strcol() cuts a quoted CSV field at
# its first comma), so a figure script sets `set datafile separator tab`
# and reads data('labs/NN-name/x.csv') for a file of the results, or
# table('name') for a table plots/draw made from bench/gbench.json.
data(f) = tables . '/' . f
table(f) = tables . '/' . f . '.tsv'

# has('col') is 1 when plots/draw found values in that optional column, else
# 0 (a twin that did not run). gnuplot reads a plot clause's file even in an
# empty `for` loop and warns when it holds no points, so an optional line is
# spliced in as a macro instead: with the clause in a string,
#   cp = twin('cpython_ms', "f using 'n':'cpython_ms' with lines ls 2 title 'CPython'")
#   plot f using 'n':'ours_ms' with lines ls 1 title 'ours' @cp
if (!exists('empty_columns')) empty_columns = ' '
has(c) = strstrt(empty_columns, ' ' . c . ' ') == 0 ? 1 : 0
twin(c, clause) = has(c) ? ', ' . clause : ''

# A log axis labelled 1, 10, 100, 1k, 10k ... (SI prefixes, for counts and
# bytes): eval logx / eval logy. logy_plain labels the decades in plain
# numbers (for times whose unit is already in the label), logy_fine labels
# 1, 2, 5, 10, 20 ... (for data within a decade or two). `eval tight` fits the ranges to the
# data with a small margin instead of rounding them out to whole decades.
logx = "set logscale x 10; set format x '%.0s%c'"
logy = "set logscale y 10; set format y '%.0s%c'"
logy_plain = "set logscale y 10; set format y '%.10g'"
logy_fine = logy_plain . "; set ytics (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7)"
tight = "set autoscale xfixmin; set autoscale xfixmax; set autoscale yfixmin; set autoscale yfixmax; set offsets graph 0.04, graph 0.04, graph 0.08, graph 0.08"

# The key entries that explain the line styles of a figure whose key names
# the series (colours) and leaves ours/CPython to the dash:
# kc = has('x_cpython') ? twin_key : ''; plot ... @kc
twin_key = ", keyentry with linespoints ls 8 title 'solid: ours', keyentry with linespoints ls 18 title 'dashed, open: CPython 3.11'"
twin_key_lines = ", keyentry with lines ls 8 title 'solid: ours', keyentry with lines ls 18 title 'dashed: CPython 3.11'"
