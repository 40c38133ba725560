# kernel_oldpath.gp: time per read by path and read size on GNU Mach in QEMU
# (software emulation): plain emulation (TSC ticks, following the host clock)
# and -icount (ticks from the instruction count), one line per path.
# Reads the TSV of bench/kernel_oldpath.py, whose rows come one per path for
# each size, the paths in the order of `paths' (the TSV's `# paths' line;
# kernel_oldpath.py passes it), after one column-header line (data line 0:
# hence `every n::k' for path k of n).
#   gnuplot -e "in='build/bench/kernel_oldpath.tsv'; outdir='build/bench'; paths='old vm_read fast_rpc fast_trap limit_rpc limit_trap'" plots/kernel_oldpath.gp
if (!exists("in")) in = 'build/bench/kernel_oldpath.tsv'
if (!exists("outdir")) outdir = 'build/bench'
set datafile separator "\t"
set key top left
set grid
set logscale xy
set xtics ("1K" 1024, "4K" 4096, "8K" 8192, "64K" 65536)
set xlabel "read size (bytes)"
set ylabel "TSC ticks per read (median of 7 rounds of 1000)"
set title "A translator's read paths on GNU Mach in QEMU"
if (!exists("paths")) paths = "old vm_read limit_rpc limit_trap"
n = words(paths)
do for [t in "png svg"] {
  if (t eq "png") { set terminal pngcairo noenhanced size 900,560 } else { set terminal svg noenhanced size 900,560 }
  set output outdir.'/kernel_oldpath.'.t
  plot for [k=1:n] in every n::k using 1:3 with linespoints lw 2 lc k title word(paths, k)." (plain)", \
       for [k=1:n] in every n::k using 1:4 with linespoints dt 2 lc k title word(paths, k)." (icount)"
}
