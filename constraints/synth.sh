#!/usr/bin/env bash
# synth.sh - synthesizes rtl/ with Yosys (generic gates): no latches, no
# loops, no undriven or multiply driven nets (check -assert); writes the
# cell statistics (text and JSON) and prints the cell count and run time.
#
# usage: constraints/synth.sh OUTDIR [ROWS COLS SEG_ROWS COL_GROUP]
#
# The design is flattened except for cim_column (keep_hierarchy: the
# bit-line side of one column, identical for all COLS columns), which is
# mapped once and counted COLS times; that keeps the 256x64 run to minutes.
# Cell counts are for the whole hierarchy (stat -top cim_macro).
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
  select -assert-none t:\$_DLATCH_* t:\$_DLATCHSR_* t:\$_SR_* t:\$dlatch t:\$adlatch t:\$sr
  tee -q -o $out/stat.txt stat -top cim_macro
  tee -q -o $out/cells.json stat -json -top cim_macro
"
end=$(date +%s)
# total of the hierarchy (the last 'Number of cells' line, after 'design hierarchy')
cells=$(awk '/design hierarchy/ {h = 1} h && /Number of cells/ {n = $NF} END {print n}' "$out/stat.txt")
if [ -z "$cells" ]; then
  cells=$(grep -m1 -E 'Number of cells' "$out/stat.txt" | awk '{print $NF}')
fi
ffs=$(awk '/design hierarchy/ {h = 1} h && /\$_(S?DFF|DFFE|ALDFF)[A-Z0-9_]*/ {s += $NF} END {print s + 0}' "$out/stat.txt")
echo "synth: cim_macro ROWS=$rows COLS=$cols SEG_ROWS=$seg COL_GROUP=$grp: $cells cells ($ffs flip-flops), no latches, $((end - start)) s"
echo "synth: report $out/stat.txt, JSON $out/cells.json, log $out/synth.log"
