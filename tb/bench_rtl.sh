#!/bin/bash
# tb/bench_rtl.sh BUILD_DIR - benchmark figures of the simulated macro
# (Makefile.sim target bench-rtl):
#   - simulated cycles/s and binary MACs/s of the verilated 256x64x16 macro
#     on one 28x28 SE-ResNet-14 image (best of 5 runs);
#   - waveforms on (VCD of the whole run) vs off: wall-time ratio;
#   - SystemC back end vs plain verilated C++: wall-time ratio;
#   - run --jobs 2 vs --jobs 1 on the same 40 images of the shipped
#     SE-ResNet-14: seconds per image, the wall-time ratio (the two reports
#     must be equal but wall_seconds, else exit 1) and the whole test set's
#     time at the --jobs 2 rate.
# The model of the first figures is a random SE-ResNet-14 (seeded); the
# image a Fashion-MNIST test image when the data set is installed, else a
# random one.
set -euo pipefail
build=${1:-build}
bin=$build/sparsecim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" model random --depth 14 --se --input 28x28x1 --seed 1 -o "$tmp/m.bnn" >/dev/null
data=random:1
[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] && data=fashion-mnist:test

# the wall seconds of one run, from its JSON report
wall() { "$bin" run --model "$tmp/m.bnn" --data "$data" --count 1 --quiet --report "$tmp/r.json" "$@" >/dev/null;
         sed -n 's/.*"wall_seconds": \([0-9.]*\).*/\1/p' "$tmp/r.json"; }
min() { echo "$1 ${2:-$1}" | awk '{print ($1<$2)?$1:$2}'; }

# best of 5, the three variants interleaved so that a change of machine
# load hits them alike
plain= waves= fst= sc=
for _ in 1 2 3 4 5; do
  plain=$(min "$(wall)" "$plain")
  cycles=$(sed -n 's/^  "cycles": \([0-9]*\).*/\1/p' "$tmp/r.json")
  macs=$(sed -n 's/^  "macs": \([0-9]*\).*/\1/p' "$tmp/r.json")
  sc=$(min "$(wall --systemc)" "$sc")
  waves=$(min "$(wall --waves "$tmp/w.vcd" --window 0:100000000)" "$waves")
  fst=$(min "$(wall --waves "$tmp/w.fst" --window 0:100000000)" "$fst")
done
vcd_mb=$(du -m "$tmp/w.vcd" | cut -f1)
fst_kb=$(du -k "$tmp/w.fst" | cut -f1)
rm -f "$tmp/w.vcd"
awk -v p="$plain" -v c="$cycles" -v m="$macs" -v w="$waves" -v f="$fst" -v s="$sc" -v mb="$vcd_mb" -v fk="$fst_kb" 'BEGIN {
  printf "bench-rtl: one 28x28 SE-ResNet-14 image on the verilated 256x64x16 macro\n";
  printf "  cycles             %d\n", c;
  printf "  wall (plain)       %.3f s   (goal < 0.2 s)\n", p;
  printf "  simulated cycles/s %.0f\n", c / p;
  printf "  binary MACs/s      %.3g  (%d MACs)\n", m / p, m;
  printf "  waves on / off     %.2fx  (%.3f s, whole-run VCD %d MB)\n", w / p, w, mb;
  printf "  FST on / off       %.2fx  (%.3f s, whole-run FST %.1f MB: %.0fx smaller than the VCD)\n", f / p, f, fk / 1024, mb * 1024 / fk;
  printf "  SystemC / plain    %.2fx  (%.3f s)\n", s / p, s }'

# --jobs 2 against --jobs 1 on the same 40 images of the shipped SE-ResNet-14
# (the random model when the data set is missing; best of 2, interleaved):
# the wall-time ratio, and the two reports must be equal but wall_seconds.
# Worker 1 runs a warm-up image before its 20 (the image before its block),
# so two idle cores give at most 40/21 = 1.90x here (2B/(B+1) for blocks of B).
# The whole test set's time is the --jobs 2 rate times 10,000 images.
jm=$tmp/m.bnn
[ "$data" = fashion-mnist:test ] && [ -e vectors/models/se-resnet14-fmnist.bnn ] && jm=vectors/models/se-resnet14-fmnist.bnn
JN=40
jwall() { "$bin" run --model "$jm" --data "$data" --count $JN --quiet --report "$tmp/j$1.json" --jobs "$1" 2>/dev/null >/dev/null;
          sed -n 's/.*"wall_seconds": \([0-9.]*\).*/\1/p' "$tmp/j$1.json"; }
j1= j2=
for _ in 1 2; do
  j1=$(min "$(jwall 1)" "$j1")
  j2=$(min "$(jwall 2)" "$j2")
done
same=equal
cmp -s <(grep -v '"wall_seconds"' "$tmp/j1.json") <(grep -v '"wall_seconds"' "$tmp/j2.json") || same=DIFFERENT
awk -v a="$j1" -v b="$j2" -v s="$same" -v n="$(nproc)" -v jn=$JN -v m="$jm" 'BEGIN {
  printf "%s, %d images, verilated 256x64x16, checked, with energy:\n", m, jn;
  printf "  per image, one worker   %.4f s\n", a / jn;
  printf "  --jobs 2 / --jobs 1     %.2fx faster  (%.3f s vs %.3f s, best of 2; at most %.2fx with the warm-up image; reports %s; %d online cores)\n", a / b, b, a, jn / (jn / 2 + 1), s, n;
  printf "  10,000 images, --jobs 2 %.1f min (at this rate)\n", b / jn * 10000 / 60 }'
[ "$same" = equal ]

# Verilator vs Icarus on the same golden vectors: a random depth-8 SE-ResNet
# (8x8 input, 2 images) written for the 64x16x8 macro, replayed by
# `sparsecim sim --vectors` (verilated) and by tb/xsim_tb.v under vvp.
"$bin" model random --depth 8 --width 8 --se --input 8x8x1 --seed 3 -o "$tmp/m8.bnn" >/dev/null
"$bin" vectors --model "$tmp/m8.bnn" --data random:1 --count 2 --rows 64 --cols 16 --seg-rows 8 -o "$tmp/vec" >/dev/null 2>&1
rtl=$(ls rtl/*.v)
iverilog -g2012 -I tb -o "$tmp/xsim.vvp" -s xsim_tb -Pxsim_tb.ROWS=64 -Pxsim_tb.COLS=16 -Pxsim_tb.SEG_ROWS=8 \
  -Pxsim_tb.COL_GROUP=4 tb/xsim_tb.v $rtl
now() { date +%s.%N; }
ver= ica=
for _ in 1 2 3; do
  t0=$(now); "$bin" sim --vectors "$tmp/vec" --quiet >/dev/null; t1=$(now)
  ver=$(min "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$ver")
done
t0=$(now); vvp -n "$tmp/xsim.vvp" +vectors="$tmp/vec" > "$tmp/xsim.log"; t1=$(now)
ica=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
xcyc=$(sed -n 's/.*none issued), \([0-9]*\) cycles.*/\1/p' "$tmp/xsim.log")
awk -v v="$ver" -v i="$ica" -v c="$xcyc" 'BEGIN {
  printf "Verilator vs Icarus, same golden vectors (64x16x8, %d cycles, process wall incl. file reading):\n", c;
  printf "  verilated sim      %.3f s\n", v;
  printf "  Icarus vvp         %.3f s\n", i;
  printf "  Icarus / Verilator %.1fx\n", i / v }'
