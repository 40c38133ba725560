# breakdown.gp: predicted time per read by event type, old path against
# fast path, per trace and chunk size.
#   gnuplot -e "in='replay.csv'; outdir='DIR'" plots/breakdown.gp
# (mosaic replay --plot runs it in DIR with in='replay.csv'; outdir='.',
# so that no path of the user's is ever gnuplot code)
# Reads a replay CSV (format 3: nine columns, then old_us_<event>,
# fast_us_<event>, old_n_<event> and fast_n_<event> for each event type, so
# that the number of event types is (columns - 9) / 4); writes
# DIR/breakdown.png and DIR/breakdown.svg.
if (!exists("in")) { print "usage: gnuplot -e \"in='replay.csv'; outdir='DIR'\" breakdown.gp"; exit status 1 }
if (!exists("outdir")) { outdir = "." }
# a read size as a label: 512, 4K, 1M
size(b) = b >= 1048576 ? sprintf("%dM", b / 1048576) : b >= 1024 ? sprintf("%dK", b / 1024) : sprintf("%d", b)
set datafile separator ","
set datafile columnheaders
set title "Predicted time per read by event type (left group: old path, right group: fast path)" noenhanced
set bmargin 5
set ylabel "microseconds per read"
set style data histograms
set style histogram rowstacked title offset 0,-0.5
set style fill solid 0.85 border -1
set boxwidth 0.7
set key outside right top vertical noenhanced
set grid ytics
set xtics noenhanced
stats in using 3 nooutput
nev = (STATS_columns - 9) / 4
# distinguishable colours, one per event type, the same in both groups
array colour[24] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", \
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", \
	"#e7ba52", "#31a354", "#000000", "#6b6ecf", "#8ca252", "#d6616b", "#a55194", \
	"#3182bd", "#e6550d", "#756bb1", "#636363"]
if (nev < 1 || nev > 24) { print sprintf("breakdown.gp: %d event types in %s", nev, in); exit status 1 }
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1100,620 font ",10" } else { set terminal svg size 1100,620 font ",10" }
	set output sprintf("%s/breakdown.%s", outdir, fmt)
	plot newhistogram "old path" lt 1, \
	     for [i=0:nev-1] in using (column(10+i)):xtic(size(column(2))) title columnhead(10+i)[8:] lc rgb colour[i+1], \
	     newhistogram "fast path" lt 1, \
	     for [i=0:nev-1] in using (column(10+nev+i)):xtic(size(column(2))) notitle lc rgb colour[i+1]
	set output
}
