#!/usr/bin/env bash
# run.sh - builds the .bnn loader fuzz target with clang (libFuzzer + ASan +
# UBSan) and runs it on the committed corpus for FUZZ_SECONDS (default 300).
# The target is built with SPARSECIM_FUZZ_NO_CRC: a CRC mismatch is ignored
# so that mutated files reach the field checks behind the CRC (the CRC
# itself is covered by tests/test_model.c's bit-flip test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${BUILD:-$src/build}/fuzz
secs=${FUZZ_SECONDS:-300}
mkdir -p "$out/corpus"
cp -n "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$src/csrc"
clang $flags -DSPARSECIM_FUZZ_NO_CRC "$here/fuzz_model_load.c" "$src/csrc/bnn_model.c" -lz -lm -o "$out/fuzz_model_load"
echo "fuzz: running $out/fuzz_model_load for $secs s on $out/corpus"
"$out/fuzz_model_load" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 "$out/corpus" 2>&1 | tail -n 25
