#!/usr/bin/python3
"""export.py - turns a tools/train.py checkpoint into a .bnn model file.

  tools/export.py run/se.pt -o vectors/models/se-resnet14-fmnist.bnn

Batch norm and the binarizing step fold into integer thresholds
(docs/SPEC.md): out = (s*dot >= T), s = -1 for a negative BN scale, two
thresholds T0/T1 for residual convs (shortcut bit 0/1). The file is written
field by field per docs/SPEC.md section 4, then read back and evaluated by
this script's own integer model (numpy, independent of torch), which reports
the integer accuracy on the test set next to the float model's and writes

  <model>.pred   the integer model's class for the first 1000 test images
  <model>.json   accuracies, SE zero fractions per stage, per-layer input
                 zero fractions, training settings and time
"""
import argparse
import json
import math
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])

BIG = 1 << 30  # a threshold no dot can reach (|dot| < 2^30)


# ------------------------------------------------------------- folding ----

def fold_bn(bn, residual):
    """BN (eval statistics) + step -> (neg flags, thresholds [n, pairs])."""
    g = bn.weight.detach().double().numpy()
    beta = bn.bias.detach().double().numpy()
    mu = bn.running_mean.detach().double().numpy()
    var = bn.running_var.detach().double().numpy()
    a = g / np.sqrt(var + bn.eps)
    b = beta - a * mu
    xs = [0.0, 1.0] if residual else [0.0]
    neg = np.zeros(len(a), dtype=np.uint8)
    T = np.zeros((len(a), len(xs)), dtype=np.int64)
    for o in range(len(a)):
        for k, x in enumerate(xs):
            if a[o] > 0:        # a*d + b + x >= 0  <=>  d >= (-b-x)/a
                T[o, k] = math.ceil((-b[o] - x) / a[o])
            elif a[o] < 0:      # d <= (-b-x)/a  <=>  -d >= (b+x)/a
                neg[o] = 1
                T[o, k] = math.ceil((b[o] + x) / a[o])
            else:               # constant output
                T[o, k] = -BIG if b[o] + x >= 0 else BIG
        if a[o] == 0 and neg[o]:
            neg[o] = 0
    T = np.clip(T, -BIG, BIG)
    return neg, T


def wbits(w):
    """Latent weights [out, ...] -> bits [out, n] in canonical order (1 = +1)."""
    return (w.detach().reshape(w.shape[0], -1).numpy() >= 0).astype(np.uint8)


# ------------------------------------------------------------- writing ----

def pack_rows(bits):
    rows = []
    for r in bits:
        rows.append(np.packbits(r, bitorder="little").tobytes())
    return b"".join(rows)


def pack_flags(flags):
    return np.packbits(np.asarray(flags, dtype=np.uint8), bitorder="little").tobytes()


def thr_bytes(neg, T):
    return pack_flags(neg) + struct.pack("<%di" % T.size, *[int(v) for v in T.reshape(-1)])


def build_layers(model):
    """The layer list of docs/SPEC.md section 3 from a trained BinResNet."""
    layers = []
    cfg = model.cfg
    h, w = cfg["in_h"], cfg["in_w"]
    neg, T = fold_bn(model.bn1, False)
    layers.append(dict(type=1, in_c=cfg["in_c"], out_c=model.width, in_h=h, in_w=w, k=(3, 3), stride=1,
                       pad=(1, 1), in_bits=8, shortcut=-1, w=wbits(model.conv1.weight), neg=neg, T=T))
    c = model.width
    for blk in model.blocks:
        s = blk.stride
        ia = len(layers)
        neg, T = fold_bn(blk.bn_a, False)
        layers.append(dict(type=1, in_c=c, out_c=blk.cout, in_h=h, in_w=w, k=(3, 3), stride=s, pad=(1, 1),
                           in_bits=1, shortcut=-1, w=wbits(blk.conv_a.weight), neg=neg, T=T))
        h, w = (h + 2 - 3) // s + 1, (w + 2 - 3) // s + 1
        c = blk.cout
        neg, T = fold_bn(blk.bn_b, True)
        layers.append(dict(type=1, in_c=c, out_c=c, in_h=h, in_w=w, k=(3, 3), stride=1, pad=(1, 1),
                           in_bits=1, shortcut=ia, w=wbits(blk.conv_b.weight), neg=neg, T=T))
        if blk.se is not None:
            n1, T1 = fold_bn(blk.se.bn1, False)
            n2, T2 = fold_bn(blk.se.bn2, False)
            layers.append(dict(type=2, c=c, hidden=blk.se.fc1.weight.shape[0], w1=wbits(blk.se.fc1.weight),
                               neg1=n1, T1=T1, w2=wbits(blk.se.fc2.weight), neg2=n2, T2=T2))
    layers.append(dict(type=3, in_c=c, classes=model.classes, w=wbits(model.fc.weight),
                       scale=model.scale.detach().numpy().astype(np.float32),
                       bias=model.bias.detach().numpy().astype(np.float32)))
    return layers


def serialize(cfg, classes, layers):
    out = bytearray()
    out += b"SCIMBNN1" + struct.pack("<I", 1)
    out += struct.pack("<HHHBBHH", cfg["in_c"], cfg["in_h"], cfg["in_w"], 8, 0, classes, len(layers))
    for L in layers:
        out += struct.pack("<B", L["type"])
        if L["type"] == 1:
            out += struct.pack("<HHHHBBBBBBh", L["in_c"], L["out_c"], L["in_h"], L["in_w"], L["k"][0], L["k"][1],
                               L["stride"], L["pad"][0], L["pad"][1], L["in_bits"], L["shortcut"])
            out += pack_rows(L["w"]) + thr_bytes(L["neg"], L["T"])
        elif L["type"] == 2:
            out += struct.pack("<HH", L["c"], L["hidden"])
            out += pack_rows(L["w1"]) + thr_bytes(L["neg1"], L["T1"])
            out += pack_rows(L["w2"]) + thr_bytes(L["neg2"], L["T2"])
        else:
            out += struct.pack("<HH", L["in_c"], L["classes"]) + pack_rows(L["w"])
            out += L["scale"].astype("<f4").tobytes() + L["bias"].astype("<f4").tobytes()
    out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xFFFFFFFF)
    return bytes(out)


# ------------------------------------- the independent integer model ----

class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.d, self.o)
        self.o += struct.calcsize("<" + fmt)
        return v

    def bits(self, rows, cols):
        rb = (cols + 7) // 8
        raw = np.frombuffer(self.d, dtype=np.uint8, count=rows * rb, offset=self.o).reshape(rows, rb)
        self.o += rows * rb
        return np.unpackbits(raw, axis=1, bitorder="little")[:, :cols]

    def thresh(self, n, pairs):
        sb = (n + 7) // 8
        neg = np.unpackbits(np.frombuffer(self.d, np.uint8, sb, self.o), bitorder="little")[:n]
        self.o += sb
        T = np.frombuffer(self.d, "<i4", n * pairs, self.o).reshape(n, pairs).astype(np.int64)
        self.o += 4 * n * pairs
        return neg, T


def parse_bnn(data):
    if data[:8] != b"SCIMBNN1":
        raise ValueError("not a .bnn file")
    if zlib.crc32(data[:-4]) & 0xFFFFFFFF != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise ValueError("CRC mismatch")
    r = Reader(data)
    r.o = 8
    (ver,) = r.take("I")
    in_c, in_h, in_w, in_bits, _, classes, n = r.take("HHHBBHH")
    layers = []
    for _ in range(n):
        (t,) = r.take("B")
        if t == 1:
            ic, oc, ih, iw, kh, kw, s, ph, pw, ib, sc = r.take("HHHHBBBBBBh")
            w = r.bits(oc, ic * kh * kw)
            neg, T = r.thresh(oc, 2 if sc >= 0 else 1)
            layers.append(dict(type=1, in_c=ic, out_c=oc, k=(kh, kw), stride=s, pad=(ph, pw), in_bits=ib,
                               shortcut=sc, w=w, neg=neg, T=T))
        elif t == 2:
            c, hd = r.take("HH")
            w1 = r.bits(hd, c)
            n1, T1 = r.thresh(hd, 1)
            w2 = r.bits(c, hd)
            n2, T2 = r.thresh(c, 1)
            layers.append(dict(type=2, c=c, hidden=hd, w1=w1, neg1=n1, T1=T1, w2=w2, neg2=n2, T2=T2))
        else:
            ic, k = r.take("HH")
            w = r.bits(k, ic)
            scale = np.frombuffer(data, "<f4", k, r.o).copy()
            r.o += 4 * k
            bias = np.frombuffer(data, "<f4", k, r.o).copy()
            r.o += 4 * k
            layers.append(dict(type=3, in_c=ic, classes=k, w=w, scale=scale, bias=bias))
    if r.o != len(data) - 4:
        raise ValueError("trailing bytes")
    return dict(in_c=in_c, in_h=in_h, in_w=in_w, classes=classes, layers=layers)


def bipolar(bits):
    return bits.astype(np.int64) * 2 - 1


def idot(a, bits):
    """Exact integer dot a [M, n] (unsigned ints) . bipolar(bits) [O, n] -> int64 [M, O].
    Computed by a float64 BLAS matmul, which is exact while every partial sum
    is an integer below 2^53 (checked), then converted back to int64."""
    amax = int(a.max()) if a.size else 0
    if amax * a.shape[1] >= (1 << 53):
        return a.astype(np.int64) @ bipolar(bits).T
    d = a.astype(np.float64) @ bipolar(bits).astype(np.float64).T
    return np.rint(d).astype(np.int64)


def thresh(dot, neg, T, x=None):
    """dot [..., C] (channel last) -> bits with (s*dot >= T[x])."""
    s = np.where(neg.astype(bool), -1, 1)
    t = T[:, 0] if x is None else np.where(x.astype(bool), T[:, 1], T[:, 0])
    return (s * dot >= t).astype(np.int64)


def conv_int(a, L):
    """a: [B, C, H, W] ints -> dots [B, O, Ho, Wo] (exact integer)."""
    kh, kw = L["k"]
    ph, pw = L["pad"]
    s = L["stride"]
    B, C, H, W = a.shape
    ap = np.pad(a, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = np.lib.stride_tricks.sliding_window_view(ap, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]
    Ho, Wo = win.shape[2], win.shape[3]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(B * Ho * Wo, C * kh * kw)  # canonical c*kk + tap
    dot = idot(cols, L["w"])
    return dot.reshape(B, Ho, Wo, -1).transpose(0, 3, 1, 2)


def eval_int(model, images):
    """Integer forward of docs/SPEC.md on uint8 images [B, C, H, W].
    Returns predictions, per-layer input zero fraction sums, SE zero counts."""
    layers = model["layers"]
    acts = []
    a = images.astype(np.int64)
    zero_frac = []
    se_zero = []
    for i, L in enumerate(layers):
        acts.append(a)
        zero_frac.append(float((a == 0).mean()))
        if L["type"] == 1:
            dot = conv_int(a, L)
            if L["shortcut"] >= 0:
                sc = acts[L["shortcut"]]
                st = -(-sc.shape[2] // dot.shape[2])
                sc = sc[:, :, ::st, ::st][:, :, :dot.shape[2], :dot.shape[3]]
                x = np.zeros_like(dot)
                x[:, :sc.shape[1]] = sc
                out = thresh(dot.transpose(0, 2, 3, 1), L["neg"], L["T"], x.transpose(0, 2, 3, 1))
            else:
                out = thresh(dot.transpose(0, 2, 3, 1), L["neg"], L["T"])
            a = out.transpose(0, 3, 1, 2)
        elif L["type"] == 2:
            q = a.sum(axis=(2, 3))
            h = thresh(idot(q, L["w1"]), L["neg1"], L["T1"])
            g = thresh(idot(h, L["w2"]), L["neg2"], L["T2"])
            se_zero.append(float((g == 0).mean()))
            a = a * g[:, :, None, None]
        else:
            q = a.sum(axis=(2, 3))
            logit = idot(q, L["w"])
            score = logit.astype(np.float32) * L["scale"][None, :]
            score = (score + L["bias"][None, :]).astype(np.float32)
            pred = np.argmax(score, axis=1)  # first index on ties
    return pred, np.array(zero_frac), np.array(se_zero)


# ---------------------------------------------------------------- main ----

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("-o", "--output", required=True, help="the .bnn file to write")
    ap.add_argument("--count", type=int, default=10000, help="test images to evaluate")
    ap.add_argument("--cifar-dir")
    a = ap.parse_args()

    import torch
    from bnn_torch import BinResNet, load_data

    ck = torch.load(a.checkpoint, map_location="cpu")
    cfg = ck["cfg"]
    model = BinResNet(in_c=cfg["in_c"], width=cfg["width"], n=cfg["n"], se=cfg["se"], se_div=cfg["se_div"],
                      classes=cfg["classes"])
    model.load_state_dict(ck["state"])
    model.eval()
    model.cfg = cfg
    data = serialize(cfg, cfg["classes"], build_layers(model))
    with open(a.output + ".tmp", "wb") as f:
        f.write(data)
    import os
    os.replace(a.output + ".tmp", a.output)

    # read back from the bytes and evaluate the integer model
    im = parse_bnn(open(a.output, "rb").read())
    x, y = load_data(cfg["data"], "test", a.cifar_dir)
    x, y = x[:a.count], y[:a.count]
    preds, zsum, sesum, nb = [], 0, 0, 0
    fpreds = []
    for i in range(0, len(x), 250):
        p, z, se = eval_int(im, x[i:i + 250])
        preds.append(p)
        zsum = zsum + z * len(p)
        sesum = sesum + (se * len(p) if len(se) else 0)
        nb += len(p)
        with torch.no_grad():
            s, _ = model(torch.from_numpy(x[i:i + 250]).float())
        fpreds.append(s.argmax(1).numpy())
    preds = np.concatenate(preds)
    fpreds = np.concatenate(fpreds)
    acc_int = float((preds == y).mean())
    acc_float = float((fpreds == y).mean())
    names = []
    li = 0
    stage_of = []
    for L in im["layers"]:
        pass
    zf = (zsum / nb).tolist()
    se_blocks = (sesum / nb).tolist() if cfg["se"] else []
    n = cfg["n"]
    se_stage = [float(np.mean(se_blocks[s * n:(s + 1) * n])) for s in range(3)] if se_blocks else []
    base = a.output[:-4] if a.output.endswith(".bnn") else a.output
    with open(base + ".pred", "w") as f:
        f.write(f"# integer predictions of {os.path.basename(a.output)} on {cfg['data']}:test images 0..999 (tools/export.py)\n")
        for p in preds[:1000]:
            f.write(f"{int(p)}\n")
    summary = {
        "model": os.path.basename(a.output), "checkpoint": a.checkpoint, "test_images": int(nb),
        "accuracy_integer": acc_int, "accuracy_float": acc_float,
        "integer_float_agreement": float((preds == fpreds).mean()),
        "se_channels_zeroed_per_stage": se_stage, "se_channels_zeroed_per_block": se_blocks,
        "input_zero_fraction_per_layer": zf,
        "epochs": len(ck.get("log", [])), "train_wall_seconds": ck.get("wall_seconds"),
        "train_args": ck.get("args"), "train_log": ck.get("log"),
    }
    with open(base + ".json", "w") as f:
        json.dump(summary, f, indent=1)
    print(f"export: wrote {a.output} ({len(data)} bytes), {base}.pred, {base}.json")
    print(f"export: test accuracy integer {acc_int*100:.2f}% float {acc_float*100:.2f}% "
          f"(agreement {summary['integer_float_agreement']*100:.2f}%) on {nb} images")
    if se_stage:
        print("export: SE channels zeroed per stage " + " ".join(f"{v*100:.1f}%" for v in se_stage))


if __name__ == "__main__":
    main()
