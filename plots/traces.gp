# traces.gp: the replay of real programs' read traces: predicted time per
# read of each path, and the speedup, for every (trace, chunk size) group.
#   gnuplot -e "in='replay.csv'; outdir='DIR'" plots/traces.gp
# Reads a replay CSV (format 1); writes DIR/traces.png and DIR/traces.svg.
if (!exists("in")) { print "usage: gnuplot -e \"in='replay.csv'; outdir='DIR'\" traces.gp"; exit status 1 }
if (!exists("outdir")) { outdir = "." }
# a read size as a label: 512, 4K, 1M
size(b) = b >= 1048576 ? sprintf("%dM", b / 1048576) : b >= 1024 ? sprintf("%dK", b / 1024) : sprintf("%d", b)
set datafile separator ","
set datafile columnheaders
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set grid ytics
set xtics rotate by -30 noenhanced
set key top left noenhanced
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1000,800 font ",10" } else { set terminal svg size 1000,800 font ",10" }
	set output sprintf("%s/traces.%s", outdir, fmt)
	set multiplot layout 2,1 title "Replay of real programs' read traces (simulated; predicted by the cost model)"
	set logscale y
	set yrange [*:*]
	set ylabel "microseconds per read"
	plot in using 5:xtic(stringcolumn(1).' '.size(column(2))) title 'old path', \
	     '' using 6 title 'fast path'
	unset logscale y
	set ylabel "speedup (old / fast)"
	set yrange [0:*]
	plot in using 7:xtic(stringcolumn(1).' '.size(column(2))) lc rgb '#4a8a3a' title 'speedup'
	unset multiplot
	set output
}
