# speedup.gp: how much faster the fast path is, against the read's size.
#   gnuplot -e "in='replay.csv'; kern='kernel.csv'; outdir='DIR'" plots/speedup.gp
# Reads a replay CSV (mosaic replay --csv, format 3) of the seed workloads,
# the simulator's prediction; and, if kern is given, the kernel's measured
# ratios (bench/kernel_replay.py --ratios bench/kernel-replay.tsv: the same
# workloads served by the translator on GNU Mach with mosaic, warm cache,
# proxy form, under QEMU -icount and in plain emulation).  Writes
# DIR/speedup.png and DIR/speedup.svg.  The seed's own 2005 ratios (old /
# vm_read_fast, 1000 cached reads, midpoints of the ranges it reports:
# 105/75, 185/95, 265/115) are drawn as points for comparison.
if (!exists("in")) { print "usage: gnuplot -e \"in='replay.csv'; kern='kernel.csv'; outdir='DIR'\" speedup.gp"; exit status 1 }
if (!exists("outdir")) { outdir = "." }
# The kernel's CSV may come as ARG1 instead (gnuplot -c speedup.gp FILE: a
# string gnuplot never parses; mosaic replay --plot passes it so).
if (ARGC >= 1) { kern = ARG1 }
# a read size as a label: 512, 4K, 1M
size(b) = b >= 1048576 ? sprintf("%dM", b / 1048576) : b >= 1024 ? sprintf("%dK", b / 1024) : sprintf("%d", b)
set datafile separator ","
set datafile columnheaders
set datafile nocolumnheaders
$seed2005 << EOD
1024,1.400
4096,1.947
8192,2.304
EOD
set title "Translator read: old path / fast path" noenhanced
set xlabel "read size (bytes)"
set ylabel "speedup (old time / fast time)"
set logscale x 2
set xtics (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)
set xrange [700:100000]
set yrange [0:*]
set grid
set key bottom right noenhanced box opaque
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 900,560 font ",11" } else { set terminal svg size 900,560 font ",11" }
	set output sprintf("%s/speedup.%s", outdir, fmt)
	if (exists("kern")) {
		# kernel.csv: trace,cache,chunk,form,reads,icount,plain,predicted
		plot in using 2:7 with linespoints lw 2 pt 7 title 'simulator: predicted (counts x calibration)', \
		     kern using 3:((strcol(2) eq "warm" && strcol(4) eq "proxy" && strstrt(strcol(1), "seq-") == 1) ? $6 : NaN) \
		         with points pt 5 ps 1.6 lc rgb '#d62728' title 'GNU Mach with mosaic, QEMU -icount (measured)', \
		     kern using 3:((strcol(2) eq "warm" && strcol(4) eq "proxy" && strstrt(strcol(1), "seq-") == 1) ? $7 : NaN) \
		         with points pt 13 ps 1.6 lc rgb '#ff7f0e' title 'GNU Mach with mosaic, QEMU plain emulation (measured)', \
		     $seed2005 using 1:2 with points pt 9 ps 2 lc rgb 'black' title 'seed, 2005 (real machine, whole Hurd read)'
	} else {
		plot in using 2:7 with linespoints lw 2 pt 7 title 'simulator: predicted (counts x calibration)', \
		     $seed2005 using 1:2 with points pt 9 ps 2 lc rgb 'black' title 'seed, 2005 (real machine, whole Hurd read)'
	}
	set output
}
