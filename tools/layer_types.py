#!/usr/bin/env python3
"""tools/layer_types.py REPORT.json [REPORT.json ...] - the energy and gating
of a `sparsecim run --report` by layer type (issue #14's per-layer-type
answer; `make -f Makefile.sim layer-types` runs the models and calls this).

Layer types come from each layer's shape in the report: conv1 (the 8-bit
image, bit-serial), 3x3 conv, 1x1 conv, 1x3/3x1 conv, depthwise 3x3, grouped
conv, SE FC (both FC jobs of an SE), classifier FC. Per type, summed over
the type's layers and the run's images:

  MACs %     share of the image's binary MACs
  energy %   share of the image's gated energy
  fJ/op      gated energy per binary MAC; static and flat: the two references
             of the same run (docs/ENERGY.md), same work
  saving     1 - gated / static (the data gating and skipping only)
  gated      data-gated share of the mapped segment-cycles (the probability
             that a mapped segment is gated in a compute cycle)
  unmapped   share of the segment-cycles with no weights (configuration: the
             tile's rows left empty; never counted as a saving)
  skipped    compute cycles not issued / the static run's cycles

Standard library only; reads JSON, prints a Markdown table per report.
"""
import json
import re
import sys


def layer_type(shape, first):
    s = shape.split()
    if s[0] == "se":
        return "SE FC"
    if s[0] == "fc":
        return "classifier FC"
    k = s[1]
    if first:
        return "conv1 (8-bit input)"
    if k.startswith("dw"):
        return "depthwise " + k[2:]
    m = re.match(r"k(\d+)x(\d+)(g\d+)?$", k)
    if not m:
        return k
    kind = f"{m.group(1)}x{m.group(2)} conv"
    return kind.replace("conv", "grouped conv") if m.group(3) else kind


def table(path):
    with open(path) as f:
        r = json.load(f)
    rows, order = {}, []
    tot_e = sum(l["energy_fj"] for l in r["layers"])
    tot_m = sum(l["macs"] for l in r["layers"])
    for i, l in enumerate(r["layers"]):
        t = layer_type(l["shape"], i == 0)
        if t not in rows:
            rows[t] = dict(n=0, macs=0, e=0.0, es=0.0, ef=0.0, act=0, gat=0, unm=0, skip=0, cst=0)
            order.append(t)
        a = rows[t]
        c = l["counters"]
        a["n"] += 1
        a["macs"] += l["macs"]
        a["e"] += l["energy_fj"]
        a["es"] += l["energy_fj_ungated"]
        a["ef"] += l["energy_fj_flat"]
        a["act"] += c["segment_cycles_active"]
        a["gat"] += c["segment_cycles_gated"]
        a["unm"] += c["segment_cycles_unmapped"]
        a["skip"] += l["cycles_skipped"]
        a["cst"] += l["cycles_static"]
    print(f"{path}: {r['images']} images, {r['geometry']}, gate {r['gate']}, unit {r['unit']}, "
          f"skip_channels {r['skip_channels']}")
    print()
    print("| layer type | layers | MACs % | energy % | fJ/op | static fJ/op | flat fJ/op | saving | gated "
          "| unmapped | skipped |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    pct = lambda a, b: f"{100.0 * a / b:.1f}%" if b else "-"
    for t in order:
        a = rows[t]
        seg = a["act"] + a["gat"]
        print(f"| {t} | {a['n']} | {pct(a['macs'], tot_m)} | {pct(a['e'], tot_e)} | {a['e'] / a['macs']:.2f} "
              f"| {a['es'] / a['macs']:.2f} | {a['ef'] / a['macs']:.2f} | {pct(a['es'] - a['e'], a['es'])} "
              f"| {pct(a['gat'], seg)} | {pct(a['unm'], seg + a['unm'])} | {pct(a['skip'], a['cst'])} |")
    print()


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) > 1 else 2
    for p in sys.argv[1:]:
        try:
            table(p)
        except (OSError, ValueError, KeyError) as e:
            print(f"layer_types: {p}: {e}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
