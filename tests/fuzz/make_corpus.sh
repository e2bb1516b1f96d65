#!/usr/bin/env bash
# tests/fuzz/make_corpus.sh [BUILD] - remakes the seed corpora of the fuzz
# targets in tests/fuzz/corpus/TARGET/ (run from the source tree root;
# BUILD default build, any build with the `sparsecim` program) from small
# real files: the project's own vectors of a tiny random model, its energy
# profiles, its merge fixtures (tests/data/merge/), a few Fashion-MNIST
# images (dataset-fashion-mnist), a VCD written by Icarus from the macro
# RTL, the hand-made dump of tests/test_saif.c. Each seed is in the input
# layout its target's header comment describes (tests/fuzz/fuzz_*.c).
# Files whose name starts with "crash-", "leak-", "timeout-" or "oom-" are
# regressions of findings and are kept. The .bnn corpus (model_load) is
# not remade here (docs/FORMAT.md describes hand.bnn). Needs python3 and
# iverilog (make -f Makefile.sim deps).
set -euo pipefail
B=${1:-build}
C=tests/fuzz/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for t in ds vec_job manifest energy vcd json merge; do
    mkdir -p "$C/$t"
    find "$C/$t" -type f ! -name 'crash-*' ! -name 'leak-*' ! -name 'timeout-*' ! -name 'oom-*' -delete
done

# golden vectors of a tiny SE model on the 64x16x8 macro
"$B/sparsecim" model random --depth 8 --se --width 4 --input 6x6x1 --seed 3 -o "$T/m.bnn" >/dev/null
"$B/sparsecim" vectors --model "$T/m.bnn" --data random:2 -o "$T/v" --rows 64 --cols 16 --seg-rows 8 --quiet >/dev/null
sed -i 's|^# model .*/m.bnn|# model m.bnn|' "$T/v/manifest.txt"

python3 - "$T" "$C" <<'EOF'
import gzip, json, os, struct, sys
t, c = sys.argv[1], sys.argv[2]
def put(target, name, data):
    with open(os.path.join(c, target, name), "wb") as f:
        f.write(data)
def words(path):
    return [int(l, 16) for l in open(path) if l.strip() and not l.startswith("//")]
v = os.path.join(t, "v")
# vec_job: mode 0 = the file's text, mode 1 = its words (little endian)
for f in ["i00000_l000_conv1_r000_c000.hex", "i00000_l008_s2b0b_r002_c000.hex",
          "i00000_l003_s0b0se.fc1_r000_c000.hex", "i00000_l010_fc_r000_c000.hex", "i00000_l010_fc.out.hex"]:
    raw = open(os.path.join(v, f), "rb").read()
    base = f[:-4]
    put("vec_job", "text-" + base, b"\0" + raw)
    put("vec_job", "words-" + base, b"\1" + b"".join(struct.pack("<Q", w) for w in words(os.path.join(v, f))))
# manifest
put("manifest", "manifest.txt", open(os.path.join(v, "manifest.txt"), "rb").read())
# ds: IDX from the first Fashion-MNIST test images; flags: bit 0 CIFAR, bit 1/2 gzip by the harness
d = os.environ.get("SPARSECIM_FMNIST_DIR") or "/usr/share/datasets/fashion-mnist"
img = gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz")).read()
lab = gzip.open(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).read()
for n in (1, 2):
    im = struct.pack(">IIII", 0x803, n, 28, 28) + img[16:16 + 784 * n]
    lb = struct.pack(">II", 0x801, n) + lab[8:8 + n]
    hdr = lambda flags: bytes([flags]) + struct.pack("<H", len(lb))
    put("ds", "idx-%d" % n, hdr(0) + im + lb)
    put("ds", "idx-%d-gz-by-harness" % n, hdr(6) + im + lb)
    put("ds", "idx-%d-gz-in-input" % n, hdr(0) + gzip.compress(im, mtime=0) + gzip.compress(lb, mtime=0))
small = struct.pack(">IIII", 0x803, 2, 3, 2) + bytes(range(12))
put("ds", "idx-small", bytes([0]) + struct.pack("<H", 10) + small + struct.pack(">II", 0x801, 2) + bytes([3, 9]))
# CIFAR-10: records of a label and 3x32x32 pixels (made from the Fashion-MNIST pixels)
rec = lambda i: bytes([lab[8 + i] % 10]) + (img[16 + 784 * i:16 + 784 * (i + 1)] * 4)[:3072]
put("ds", "cifar-1", b"\1" + rec(0))
put("ds", "cifar-2-gz-by-harness", b"\3" + rec(0) + rec(1))
put("ds", "cifar-1-gz-in-input", b"\1" + gzip.compress(rec(0), mtime=0))
# json and merge: the merge fixtures, also trimmed to what the merge reads (no energy, no total)
m = "tests/data/merge"
def trimmed(name):
    r = json.load(open(os.path.join(m, name)))
    r.pop("energy", None)
    r.pop("total", None)
    return json.dumps(r, separators=(",", ":")).encode()
shards = [trimmed("shard%d.json" % i) for i in range(3)]
put("json", "shard0-trimmed.json", shards[0])
put("json", "shard0-shard.json", json.dumps(json.load(open(os.path.join(m, "shard0.json")))["shard"]).encode())
put("merge", "shards-trimmed", b"\0".join(shards))
put("merge", "shards-2-1-trimmed", shards[2] + b"\0" + shards[1])
put("merge", "shard0", open(os.path.join(m, "shard0.json"), "rb").read())
put("merge", "single-trimmed", trimmed("single.json"))
EOF

# energy: the shipped profiles and the merge fixture's copy
cp constraints/energy-65nm.txt "$C/energy/energy-65nm.txt"
cp constraints/energy-22nm.txt "$C/energy/energy-22nm.txt"

# vcd: flags byte, window bytes, then the dump. The hand-made dump of tests/test_saif.c ...
sed -n '/^static const char dump\[\] =/,/;$/p' tests/test_saif.c | sed -n 's/^ *"\(.*\)"[;]*$/\1/p' |
    sed 's/\\n$//; s/\\"/"/g' > "$T/hand.vcd"
{ printf '\0\0\0'; cat "$T/hand.vcd"; } > "$C/vcd/hand"
{ printf '\1\2\6'; cat "$T/hand.vcd"; } > "$C/vcd/hand-window"
# ... and the ports of the 64x16x8 macro over 40 cycles of random operations, written by Icarus
cat > "$T/tb.v" <<'EOF'
`timescale 1ns/1ns
module tb;
  reg clk = 0, rst_n = 0, first = 0, last = 0;
  reg [2:0] op = 0; reg [5:0] addr = 0; reg [15:0] wdata = 0; reg [63:0] in = 0;
  reg [3:0] plane = 0; reg [31:0] thr = 0; reg [1:0] gate = 3, unit = 0; reg [4:0] cnt_sel = 0;
  cim_macro #(.ROWS(64), .COLS(16), .SEG_ROWS(8), .COL_GROUP(4)) dut (
    .clk_i(clk), .rst_ni(rst_n), .op_i(op), .addr_i(addr), .wdata_i(wdata), .in_i(in), .first_i(first),
    .last_i(last), .plane_i(plane), .thr_i(thr), .gate_i(gate), .unit_log2_i(unit), .ncols_i(5'd16),
    .nrows_i(7'd64), .cnt_sel_i(cnt_sel), .cmp_valid_o(), .p_o(), .x_o(), .acc_valid_o(), .acc_o(), .bin_o(),
    .rd_valid_o(), .rdata_o(), .seg_gated_o(), .cnt_o());
  always #5 clk = ~clk;
  integer i;
  initial begin
    $dumpfile("macro.vcd");
    $dumpvars(1, dut);
    #12 rst_n = 1;
    for (i = 0; i < 40; i = i + 1) begin
      @(negedge clk);
      op = i < 16 ? 3'd1 : (i % 5 ? 3'd3 : 3'd2); addr = i[5:0]; wdata = $random; in = {$random, $random} & 64'h00ff00ff0000ffff;
      first = i == 16; last = i == 39; plane = 0; cnt_sel = i[4:0];
    end
    $finish;
  end
endmodule
EOF
(cd "$T" && iverilog -g2012 -o tb.vvp tb.v "$OLDPWD"/rtl/*.v && vvp -n tb.vvp >/dev/null)
sed -i "/^\$date/,/^\$end/d" "$T/macro.vcd"
{ printf '\0\0\0'; cat "$T/macro.vcd"; } > "$C/vcd/icarus-macro"
{ printf '\3\24\120'; cat "$T/macro.vcd"; } > "$C/vcd/icarus-macro-window"
for t in ds vec_job manifest energy vcd json merge; do
    echo "$C/$t: $(ls "$C/$t" | wc -l) files, $(du -sk "$C/$t" | cut -f1) KB"
done
