#!/usr/bin/env python3
"""tools/model_compare.py NAME=INFER.json,RUN.json [NAME=INFER.json,RUN.json ...]

Networks compared by what they cost the macro per correct classification
(issue #14): per model, the accuracy of the C reference (`sparsecim infer
--json`, the whole test set) against what the macro spent on the images of
an RTL run (`sparsecim run --report`, checked bit-exactly; a report with
mismatches is refused). `make -f Makefile.sim model-compare` runs every
shipped model; `make -f Makefile.sim mult-tradeoff` the multi-value
fine-tune and its control (docs/SPEC.md section 2 "Multiplicities"), for
which, as the two networks have the same layers, a per-layer table follows:
the MACs (copies are MACs: rows x outputs x pixels x planes), row tiles x
column tiles and gated energy per image of each.

  accuracy     C reference on the infer JSON's images (count given)
  MACs         binary MACs per image, copies counted
  tiles        array jobs per image (row tiles x column tiles, all layers)
  gated        gated energy per image (pJ), the run's images; static: the
               same jobs without data gating (docs/ENERGY.md)
  fJ/op        gated energy per binary MAC
  per correct  gated energy / accuracy (nJ per correctly classified image)

Standard library only.
"""

import json
import sys


def load(spec):
    name, _, paths = spec.partition("=")
    ipath, _, rpath = paths.partition(",")
    if not name or not ipath or not rpath:
        sys.exit(f"model_compare: argument '{spec}': expected NAME=INFER.json,RUN.json")
    with open(ipath) as f:
        inf = json.load(f)
    with open(rpath) as f:
        run = json.load(f)
    if run.get("mismatches") != 0:
        sys.exit(f"model_compare: {rpath}: {run.get('mismatches')} mismatches: not a checked run")
    return name, inf, run


def summary(models):
    out = ["| model | accuracy | test images | RTL images | binary MACs/image | tiles | gated pJ/image | static pJ/image | "
           "fJ/op | saving vs static | per correct (nJ) |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, inf, run in models:
        acc = inf["accuracy"]
        gated = run["total"]["energy_fj"] / 1e3 / run["images"]
        static = run["total"]["energy_fj_ungated"] / 1e3 / run["images"]
        macs = run["macs"] / run["images"]
        tiles = sum(L["tiles"] for L in run["layers"])
        out.append(f"| {name} | {100 * acc:.2f}% | {inf['count']} | {run['images']} | {macs:,.0f} | {tiles} | {gated:,.1f} | "
                   f"{static:,.1f} | {gated * 1e3 / macs:.3f} | {100 * (1 - gated / static):.1f}% | "
                   f"{gated / 1e3 / acc:.1f} |")
    return out


def layers(models):
    names = [L["name"] for L in models[0][2]["layers"]]
    head = "| layer | " + " | ".join(f"{n} MACs | {n} tiles | {n} pJ" for n, _, _ in models) + " |"
    out = [head, "| --- |" + " --- |" * (3 * len(models))]
    for i, ln in enumerate(names):
        cells = []
        for _, _, run in models:
            L = run["layers"][i]
            cells.append(f"{L['macs'] / run['images']:,.0f} | {L['tiles']} | {L['energy_fj'] / 1e3 / run['images']:,.1f}")
        out.append(f"| {ln} | " + " | ".join(cells) + " |")
    return out


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    models = [load(a) for a in argv[1:]]
    print("\n".join(summary(models)))
    names = [[L["name"] for L in run["layers"]] for _, _, run in models]
    if len(models) > 1 and all(n == names[0] for n in names):
        print()
        print("\n".join(layers(models)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
