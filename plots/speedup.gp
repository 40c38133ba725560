# speedup.gp: how much faster the fast path is, against the read's size.
#   gnuplot -e "in='replay.csv'; outdir='DIR'" plots/speedup.gp
# Reads a replay CSV (mosaic replay --csv, format 2) of the seed workloads;
# writes DIR/speedup.png and DIR/speedup.svg.  The seed's own 2005 ratios
# (old / vm_read_fast, 1000 cached reads, midpoints of the ranges it reports:
# 105/75, 185/95, 265/115) are drawn as points for comparison.
if (!exists("in")) { print "usage: gnuplot -e \"in='replay.csv'; outdir='DIR'\" speedup.gp"; exit status 1 }
if (!exists("outdir")) { outdir = "." }
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
	plot in using 2:7 with linespoints lw 2 pt 7 title 'simulated: predicted time (counts x calibration)', \
	     in using 2:($8/$9) with linespoints lw 2 pt 5 dt 2 title 'simulated: host wall time of the simulation', \
	     $seed2005 using 1:2 with points pt 9 ps 2 lc rgb 'black' title 'seed, 2005 (real machine, whole Hurd read)'
	set output
}
