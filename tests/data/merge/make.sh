#!/bin/sh
# tests/data/merge/make.sh [BUILD] - remakes the fixtures of tests/test_merge.c
# (run from the source tree root; BUILD default build): a random
# SE-ResNet-8 (width 8, 12x12x1, seed 5) on 6 random images (random:7) on
# the 64x16x8 macro, as three shards (shard0..2.json) and as one run
# (single.json, single.csv), with the energy profile energy.txt (a copy of
# constraints/energy-65nm.txt, so that the fixtures do not change with it).
set -e
B=${1:-build}
D=tests/data/merge
"$B/sparsecim" model random --depth 8 --se --width 8 --input 12x12x1 --seed 5 -o "$D/tiny.bnn" >/dev/null
run() { "$B/sparsecim" run --model "$D/tiny.bnn" --data random:7 --count 6 --small --energy "$D/energy.txt" --quiet "$@" >/dev/null; }
for i in 0 1 2; do run --shard "$i/3" --report "$D/shard$i.json"; done
run --report "$D/single.json" --csv "$D/single.csv"
echo "wrote $D/shard0.json shard1.json shard2.json single.json single.csv"
