# traces.gp: the replay of real programs' read traces: predicted time per
# read of each path, and the speedup, against the read size, one colour per
# trace; and each whole trace's predicted time by both paths.
#   gnuplot -e "in='replay.csv'; kern='kernel.csv'; outdir='DIR'" plots/traces.gp
# Reads a replay CSV (format 3); writes DIR/traces.png and DIR/traces.svg.
# With kern (bench/kernel_replay.py --ratios bench/kernel-replay.tsv), the
# speedup panel also shows the kernel's measured ratio (GNU Mach with mosaic
# under QEMU -icount, warm cache, proxy form) as points beside each trace's
# predicted line.
# Read sizes are the replay's chunk classes: a point at 4K holds the reads of
# 2049 to 4096 bytes.
if (!exists("in")) { print "usage: gnuplot -e \"in='replay.csv'; outdir='DIR'\" traces.gp"; exit status 1 }
if (!exists("outdir")) { outdir = "." }
# The kernel's CSV may come as ARG1 instead (gnuplot -c traces.gp FILE: a
# string gnuplot never parses; mosaic replay --plot passes it so).
if (ARGC >= 1) { kern = ARG1 }
set datafile separator ","
# The traces' names, in file order, from column 1 (skipping the header).
names = " "
stats in using (s = strcol(1), (s ne "trace" && strstrt(names, " ".s." ") == 0 ? names = names.s." " : 0), 0) nooutput
# The position of trace name t in names (1-based).
idx(t) = sum [i=1:words(names)] (word(names, i) eq t ? i : 0)
set logscale x 2
set xtics ("16" 16, "64" 64, "256" 256, "1K" 1024, "4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, "1M" 1048576)
set grid
set key outside right top noenhanced
set xlabel "read size (bytes, rounded up to a power of two)"
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1000,1100 font ",10" } else { set terminal svg size 1000,1100 font ",10" }
	set output sprintf("%s/traces.%s", outdir, fmt)
	set multiplot layout 3,1 title (exists("kern") ? "Replay of read traces (predicted by the cost model; points: measured on GNU Mach with mosaic)" : "Replay of read traces (predicted by the cost model)")
	set logscale y
	set ylabel "microseconds per read"
	plot for [i=1:words(names)] in using 2:(strcol(1) eq word(names, i) ? $5 : NaN) \
	         with linespoints lc i lw 2 pt 7 title word(names, i)." old", \
	     for [i=1:words(names)] in using 2:(strcol(1) eq word(names, i) ? $6 : NaN) \
	         with linespoints lc i lw 2 dt 2 pt 6 title word(names, i)." fast"
	unset logscale y
	set ylabel "speedup (old / fast)"
	set yrange [0:*]
	if (exists("kern")) {
		set ylabel "speedup (old / fast): lines predicted, points measured on the kernel"
		plot for [i=1:words(names)] in using 2:(strcol(1) eq word(names, i) ? $7 : NaN) \
		         with linespoints lc i lw 2 pt 7 title word(names, i)." predicted", \
		     for [i=1:words(names)] kern using 3:((strcol(1) eq word(names, i) && strcol(2) eq "warm" && strcol(4) eq "proxy") ? $6 : NaN) \
		         with points lc i pt 5 ps 1.5 title word(names, i)." kernel (-icount)"
	} else {
		plot for [i=1:words(names)] in using 2:(strcol(1) eq word(names, i) ? $7 : NaN) \
		         with linespoints lc i lw 2 pt 7 title word(names, i)
	}
	set yrange [*:*]
	# Whole traces: the reads' predicted times added up, per trace.
	unset logscale x
	set xlabel ""
	set xrange [0.5:words(names) + 0.5]
	set xtics () 
	set for [i=1:words(names)] xtics add (word(names, i) i)
	set ylabel "whole trace, milliseconds"
	set style fill solid 0.85 border -1
	set boxwidth 0.35
	set key inside top left
	plot in using ((idx(strcol(1))) - 0.18):($3 * $5 / 1000) smooth frequency with boxes lc rgb "#9b2dd6" title "old path", \
	     in using ((idx(strcol(1))) + 0.18):($3 * $6 / 1000) smooth frequency with boxes lc rgb "#2aa198" title "fast path"
	set key outside right top
	set xrange [*:*]
	set logscale x 2
	set xtics ("16" 16, "64" 64, "256" 256, "1K" 1024, "4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, "1M" 1048576)
	set xlabel "read size (bytes, rounded up to a power of two)"
	unset multiplot
	set output
}
