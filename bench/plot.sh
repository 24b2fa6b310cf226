#!/bin/sh
# Plots what make bench measured, with gnuplot when it is installed:
#   OUTDIR/timers.svg    timer cost per firing against live timers
#   OUTDIR/resp-cpu.svg  server CPU per request per backend (the example server)
#   plot.sh [OUTDIR]
out=${1:-bench/out}
command -v gnuplot >/dev/null || { echo "plot: gnuplot not installed (apt-get install gnuplot-nox), no plots"; exit 0; }
if [ -s "$out/timers.dat" ]; then
    gnuplot <<GP
set terminal svg size 720,440 dynamic background rgb "white"
set output "$out/timers.svg"
set title "Timer cost per firing against live timers"
set logscale x
set xlabel "live timers"
set ylabel "ns per firing"
set yrange [0:*]
set key top left
set grid
plot "$out/timers.dat" using 1:2 with linespoints lw 2 title "steady state (every timer periodic, ~25 firings/ms)", \
     "$out/timers.dat" using 1:3 with linespoints lw 2 title "100 hot timers next to idle ones"
GP
    echo "plot: $out/timers.svg"
fi
if [ -s "$out/resp/runs.tsv" ]; then
    # Median CPU per request per backend, test and depth.
    awk -F'\t' 'NR > 1 { print $5 "\t" $3 " -P" $2 "\t" $7 }' "$out/resp/runs.tsv" | sort -t"$(printf '\t')" -k1,1 -k2,2 -k3,3g |
        awk -F'\t' '{ k = $1 "\t" $2; v[k] = v[k] " " $3 } END { for (k in v) { n = split(v[k], a, " "); print k "\t" a[int((n + 1) / 2)] } }' |
        sort >"$out/resp/cpu-medians.tsv"
    cols=$(cut -f2 "$out/resp/cpu-medians.tsv" | sort -u | tr '\n' '|')
    awk -F'\t' -v cols="$cols" '{ row[$1] = 1; v[$1 "|" $2] = $3 }
        END { n = split(cols, c, "|") - 1; printf "backend"; for (i = 1; i <= n; i++) printf "\t\"%s\"", c[i]; print ""
              for (r in row) { printf "%s", r; for (i = 1; i <= n; i++) printf "\t%s", v[r "|" c[i]]; print "" } }' \
        "$out/resp/cpu-medians.tsv" >"$out/resp/cpu-table.tsv"
    ncols=$(head -1 "$out/resp/cpu-table.tsv" | awk -F'\t' '{ print NF }')
    gnuplot <<GP
set terminal svg size 900,460 dynamic background rgb "white"
set output "$out/resp-cpu.svg"
set title "Example server: CPU per request by backend (medians)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "server CPU microseconds per request"
set yrange [0:*]
set logscale y
set key outside right
set grid y
set datafile separator "\t"
plot for [c=2:$ncols] "$out/resp/cpu-table.tsv" using c:xtic(1) title columnheader(c)
GP
    echo "plot: $out/resp-cpu.svg"
fi
