#!/usr/bin/env bash
# synth.sh - synthesizes rtl/ with Yosys: no latches, no loops, no undriven
# or multiply driven nets (check -assert), prints and writes the cell count.
#
# usage: constraints/synth.sh OUTDIR [ROWS COLS SEG_ROWS COL_GROUP]
set -euo pipefail
out=${1:?usage: synth.sh OUTDIR [ROWS COLS SEG_ROWS COL_GROUP]}
rows=${2:-256}; cols=${3:-64}; seg=${4:-16}; grp=${5:-8}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
start=$(date +%s)
yosys -q -l "$out/synth.log" -p "
  read_verilog -sv $here/rtl/*.v
  chparam -set ROWS $rows -set COLS $cols -set SEG_ROWS $seg -set COL_GROUP $grp cim_macro
  hierarchy -check -top cim_macro
  synth -top cim_macro -flatten
  check -assert
  select -assert-none t:\$_DLATCH_* t:\$_DLATCHSR_* t:\$dlatch t:\$sr
  tee -q -o $out/stat.txt stat
  stat -json
  tee -q -o $out/cells.json stat -json
"
end=$(date +%s)
cells=$(grep -m1 -E 'Number of cells' "$out/stat.txt" | awk '{print $NF}')
ffs=$(grep -E '\$_(S?DFF|DFFE)[A-Z_]*' "$out/stat.txt" | awk '{s += $NF} END {print s + 0}')
echo "synth: cim_macro ROWS=$rows COLS=$cols SEG_ROWS=$seg COL_GROUP=$grp: $cells cells ($ffs flip-flops), no latches, $((end - start)) s"
echo "synth: report $out/stat.txt, JSON $out/cells.json, log $out/synth.log"
