#!/usr/bin/python3
"""export.py - turns a tools/train.py checkpoint into a .bnn model file.

  tools/export.py run/se.pt -o vectors/models/se-resnet14-fmnist.bnn
  tools/export.py --eval vectors/models/se-resnet14-fmnist.bnn     (check a file only)

Batch norm and the binarizing step fold into integer thresholds
(docs/SPEC.md): out = (s*dot >= T), s = -1 for a negative BN scale, two
thresholds T0/T1 for residual convs (shortcut bit 0/1). The file is written
field by field per docs/SPEC.md section 4, then read back from the bytes,
validated, and evaluated by this script's own integer model (numpy, no torch:
bit-serial MACs, option-A shortcut, SE, count pooling, float32 classifier,
following SPEC sections 1-2 literally). It reports the integer accuracy on the
test set next to the float (PyTorch) model's and their agreement, and writes

  <model>.pred   the integer model's class for the first 1000 test images
                 (one per line, after a one-line '#' header)
  <model>.json   accuracies, SE zero fractions per stage and block, per-layer
                 input zero fractions, training settings, epochs and time
"""
import argparse
import json
import math
import os
import struct
import sys
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BIG = 1 << 30  # a threshold no dot can reach (|dot| < 2^30 for every legal layer)


# ------------------------------------------------------------- folding ----

def fold_one(a, c):
    """Integer form of  a*d + c >= 0  over integer d  ->  (neg, T) with
    (s*d >= T), s = -1 when neg. Exact at equality: the float64 quotient is
    only a first guess, the final T is checked against a*d + c itself."""
    if a == 0.0 or not math.isfinite(a):
        return 0, (-BIG if c >= 0 else BIG)        # constant output: always / never
    if a > 0:   # d >= -c/a: the smallest d that satisfies it
        t = -c / a
        if t > BIG:
            return 0, BIG
        if t < -BIG:
            return 0, -BIG
        T = math.ceil(t)
        while a * (T - 1) + c >= 0:
            T -= 1
        while a * T + c < 0:
            T += 1
        return 0, int(T)
    # a < 0: d <= -c/a: the largest such D; out = (-d >= -D)
    t = -c / a
    if t > BIG:
        return 1, -BIG
    if t < -BIG:
        return 1, BIG
    D = math.floor(t)
    while a * (D + 1) + c >= 0:
        D += 1
    while a * D + c < 0:
        D -= 1
    return 1, int(-D)


def fold_bn(bn, residual):
    """BN (eval statistics) + step -> (neg flags [n], thresholds [n, 1 or 2]).
    BN(d) = a*d + b with a = gamma/sqrt(var+eps), b = beta - a*mu (float64);
    output = (BN(d) + x >= 0), x = 0, or the shortcut bit x in {0, 1}."""
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
            neg[o], T[o, k] = fold_one(float(a[o]), float(b[o] + x))
    return neg, T


def wbits(w):
    """Latent weights [out, ...] -> bits [out, n] in canonical order (1 = +1;
    sign(0) = +1 as in training)."""
    return (w.detach().reshape(w.shape[0], -1).numpy() >= 0).astype(np.uint8)


# ------------------------------------------------------------- writing ----

def mult_of(conv):
    """The input-channel multiplicities of a trained conv (train.py
    --mult-spare) as uint8, or None when it has none or all are 1."""
    m = getattr(conv, "mult", None)
    if m is None:
        return None
    m = np.rint(m.detach().numpy()).astype(np.uint8)
    return m if (m != 1).any() else None


def pack_rows(bits):
    return b"".join(np.packbits(r, bitorder="little").tobytes() for r in bits)


def pack_flags(flags):
    return np.packbits(np.asarray(flags, dtype=np.uint8), bitorder="little").tobytes()


def thr_bytes(neg, T):
    return pack_flags(neg) + struct.pack("<%di" % T.size, *[int(v) for v in T.reshape(-1)])


def build_layers(model, cfg):
    """The layer list of docs/SPEC.md section 3 from a trained BinResNet."""
    layers = []
    h, w = cfg["in_h"], cfg["in_w"]
    neg, T = fold_bn(model.bn1, False)
    layers.append(dict(type=1, in_c=cfg["in_c"], out_c=model.width, in_h=h, in_w=w, k=(3, 3), stride=1,
                       pad=(1, 1), in_bits=8, shortcut=-1, w=wbits(model.conv1.weight), neg=neg, T=T))
    c = model.width
    dw = getattr(model, "depthwise", False)
    for blk in model.blocks:
        s = blk.stride
        ia = len(layers)
        if getattr(blk, "bottleneck", False):
            # 1x1 reduce (a), 3x3 with the stride (b), 1x1 expand with the residual (c)
            mid = blk.conv_a.weight.shape[0]
            neg, T = fold_bn(blk.bn_a, False)
            layers.append(dict(type=1, in_c=c, out_c=mid, in_h=h, in_w=w, k=(1, 1), stride=1, pad=(0, 0),
                               in_bits=1, shortcut=-1, w=wbits(blk.conv_a.weight), mult=mult_of(blk.conv_a), neg=neg, T=T))
            neg, T = fold_bn(blk.bn_b, False)
            layers.append(dict(type=1, in_c=mid, out_c=mid, in_h=h, in_w=w, k=(3, 3), stride=s, pad=(1, 1),
                               in_bits=1, shortcut=-1, w=wbits(blk.conv_b.weight), mult=mult_of(blk.conv_b), neg=neg, T=T))
            h, w = (h + 2 - 3) // s + 1, (w + 2 - 3) // s + 1
            c = blk.cout
            neg, T = fold_bn(blk.bn_c, True)
            layers.append(dict(type=1, in_c=mid, out_c=c, in_h=h, in_w=w, k=(1, 1), stride=1, pad=(0, 0),
                               in_bits=1, shortcut=ia, w=wbits(blk.conv_c.weight), mult=mult_of(blk.conv_c), neg=neg, T=T))
        elif dw:
            # depthwise 3x3 (NAME.dw, the stride, its own threshold), then pointwise 1x1 (NAME)
            neg, T = fold_bn(blk.bn_a_dw, False)
            layers.append(dict(type=1, in_c=c, out_c=c, in_h=h, in_w=w, k=(3, 3), stride=s, pad=(1, 1),
                               in_bits=1, shortcut=-1, groups=c, w=wbits(blk.conv_a_dw.weight), neg=neg, T=T))
            h, w = (h + 2 - 3) // s + 1, (w + 2 - 3) // s + 1
            neg, T = fold_bn(blk.bn_a, False)
            layers.append(dict(type=1, in_c=c, out_c=blk.cout, in_h=h, in_w=w, k=(1, 1), stride=1, pad=(0, 0),
                               in_bits=1, shortcut=-1, w=wbits(blk.conv_a.weight), mult=mult_of(blk.conv_a), neg=neg, T=T))
            c = blk.cout
            neg, T = fold_bn(blk.bn_b_dw, False)
            layers.append(dict(type=1, in_c=c, out_c=c, in_h=h, in_w=w, k=(3, 3), stride=1, pad=(1, 1),
                               in_bits=1, shortcut=-1, groups=c, w=wbits(blk.conv_b_dw.weight), neg=neg, T=T))
            neg, T = fold_bn(blk.bn_b, True)
            layers.append(dict(type=1, in_c=c, out_c=c, in_h=h, in_w=w, k=(1, 1), stride=1, pad=(0, 0),
                               in_bits=1, shortcut=ia, w=wbits(blk.conv_b.weight), mult=mult_of(blk.conv_b), neg=neg, T=T))
        else:
            neg, T = fold_bn(blk.bn_a, False)
            layers.append(dict(type=1, in_c=c, out_c=blk.cout, in_h=h, in_w=w, k=(3, 3), stride=s, pad=(1, 1),
                               in_bits=1, shortcut=-1, w=wbits(blk.conv_a.weight), mult=mult_of(blk.conv_a), neg=neg, T=T))
            h, w = (h + 2 - 3) // s + 1, (w + 2 - 3) // s + 1
            c = blk.cout
            neg, T = fold_bn(blk.bn_b, True)
            layers.append(dict(type=1, in_c=c, out_c=c, in_h=h, in_w=w, k=(3, 3), stride=1, pad=(1, 1),
                               in_bits=1, shortcut=ia, w=wbits(blk.conv_b.weight), mult=mult_of(blk.conv_b), neg=neg, T=T))
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
    # version 2 (one u16 groups per CONV record) only when a conv is grouped,
    # version 3 (groups, then a u8 flag and with flag 1 in_c u8
    # multiplicities) only when a conv has multiplicities: version-1 output
    # is byte-identical to what this writer made before
    v3 = any(L["type"] == 1 and L.get("mult") is not None for L in layers)
    v2 = v3 or any(L["type"] == 1 and L.get("groups", 1) > 1 for L in layers)
    out += b"SCIMBNN1" + struct.pack("<I", 3 if v3 else 2 if v2 else 1)
    out += struct.pack("<HHHBBHH", cfg["in_c"], cfg["in_h"], cfg["in_w"], 8, 0, classes, len(layers))
    for L in layers:
        out += struct.pack("<B", L["type"])
        if L["type"] == 1:
            out += struct.pack("<HHHHBBBBBBh", L["in_c"], L["out_c"], L["in_h"], L["in_w"], L["k"][0], L["k"][1],
                               L["stride"], L["pad"][0], L["pad"][1], L["in_bits"], L["shortcut"])
            if v2:
                out += struct.pack("<H", L.get("groups", 1))
            if v3:
                m = L.get("mult")
                out += struct.pack("<B", 0) if m is None else struct.pack("<B", 1) + bytes(m.astype(np.uint8))
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


# --------------------------- reading (independent of the writer above) ----

class BnnError(ValueError):
    pass


def bitlen(n):
    return max(1, int(n).bit_length())


class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, fmt, field):
        size = struct.calcsize("<" + fmt)
        if self.o + size > len(self.d) - 4:
            raise BnnError(f"{field} at byte {self.o}: file too short")
        v = struct.unpack_from("<" + fmt, self.d, self.o)
        self.o += size
        return v

    def raw(self, n, field):
        if self.o + n > len(self.d) - 4:
            raise BnnError(f"{field} at byte {self.o}: file too short")
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def bits(self, rows, cols, field):
        rb = (cols + 7) // 8
        at = self.o
        raw = np.frombuffer(self.raw(rows * rb, field), dtype=np.uint8).reshape(rows, rb)
        bits = np.unpackbits(raw, axis=1, bitorder="little")
        if bits[:, cols:].any():
            r = int(np.nonzero(bits[:, cols:].any(axis=1))[0][0])
            raise BnnError(f"{field} at byte {at + r * rb}: unused weight bits of row {r} are not 0")
        return bits[:, :cols].astype(np.uint8)

    def thresholds(self, n, pairs, field):
        neg = np.unpackbits(np.frombuffer(self.raw((n + 7) // 8, field + " sign"), np.uint8),
                            bitorder="little")[:n]
        T = np.frombuffer(self.raw(4 * n * pairs, field + " thresholds"), "<i4").reshape(n, pairs)
        return neg.astype(np.uint8), T.astype(np.int64)


def parse_bnn(data):
    """Parses and validates a .bnn v1 file (docs/SPEC.md section 4)."""
    if len(data) < 28:
        raise BnnError(f"file at byte 0: {len(data)} bytes is too short for a header and CRC")
    if data[:8] != b"SCIMBNN1":
        raise BnnError("magic at byte 0: not 'SCIMBNN1'")
    crc = struct.unpack_from("<I", data, len(data) - 4)[0]
    if zlib.crc32(data[:-4]) & 0xFFFFFFFF != crc:
        raise BnnError(f"CRC at byte {len(data) - 4}: mismatch")
    r = Reader(data)
    r.o = 8
    (ver,) = r.take("I", "version")
    if ver not in (1, 2, 3):
        raise BnnError(f"version at byte 8: {ver}, expected 1, 2 or 3")
    in_c, in_h, in_w, in_bits, reserved, classes, n = r.take("HHHBBHH", "header")
    for name, v, lo, hi, off in (("in_c", in_c, 1, 4096, 12), ("in_h", in_h, 1, 1024, 14),
                                 ("in_w", in_w, 1, 1024, 16), ("in_bits", in_bits, 1, 8, 18),
                                 ("reserved", reserved, 0, 0, 19), ("classes", classes, 1, 1000, 20),
                                 ("n_layers", n, 1, 1024, 22)):
        if not lo <= v <= hi:
            raise BnnError(f"{name} at byte {off}: {v} out of range {lo}..{hi}")
    shape = (in_c, in_h, in_w, in_bits)   # running tensor C, H, W, bits
    layers = []
    for i in range(n):
        at = r.o
        (t,) = r.take("B", f"layer {i} type")
        C, H, W, bits = shape
        if t == 1:
            ic, oc, ih, iw, kh, kw, s, ph, pw, ib, sc = r.take("HHHHBBBBBBh", f"layer {i} conv header")
            if (ic, ih, iw, ib) != (C, H, W, bits):
                raise BnnError(f"layer {i} conv at byte {at}: input {ic}x{ih}x{iw}/{ib} bits, "
                               f"running tensor is {C}x{H}x{W}/{bits} bits")
            if oc < 1 or kh < 1 or kw < 1 or s < 1:
                raise BnnError(f"layer {i} conv at byte {at}: out_c, kernel and stride must be >= 1")
            ho, wo = (ih + 2 * ph - kh), (iw + 2 * pw - kw)
            if ho < 0 or wo < 0:
                raise BnnError(f"layer {i} conv at byte {at}: output size < 1")
            ho, wo = ho // s + 1, wo // s + 1
            if sc >= 0:
                if sc >= i or layers[sc]["type"] != 1:
                    raise BnnError(f"layer {i} shortcut at byte {at + 16}: {sc} is not an earlier CONV")
                scc, sch, scw = layers[sc]["in_shape"][:3]
                if layers[sc]["in_shape"][3] != 1 or scc > oc or sch not in (ho, 2 * ho) or scw not in (wo, 2 * wo):
                    raise BnnError(f"layer {i} shortcut at byte {at + 16}: input of layer {sc} "
                                   f"({scc}x{sch}x{scw}) does not fit option A for {oc}x{ho}x{wo}")
            elif sc != -1:
                raise BnnError(f"layer {i} shortcut at byte {at + 16}: {sc}")
            G, mult = 1, None
            if ver >= 2:
                (G,) = r.take("H", f"layer {i} groups")
                if G < 1 or ic % G or oc % G:
                    raise BnnError(f"layer {i} groups at byte {r.o - 2}: {G} does not divide in_c {ic} and out_c {oc}")
            if ver == 3:
                (flag,) = r.take("B", f"layer {i} mult flag")
                if flag > 1 or (flag and G > 1):
                    raise BnnError(f"layer {i} mult flag at byte {r.o - 1}: {flag}"
                                   + (" on a grouped conv" if flag and G > 1 else ", expected 0 or 1"))
                if flag:
                    at_m = r.o
                    mult = np.frombuffer(r.raw(ic, f"layer {i} multiplicities"), np.uint8).astype(np.int64)
                    bad = np.nonzero((mult < 1) | (mult > 4))[0]
                    if bad.size:
                        raise BnnError(f"layer {i} multiplicity at byte {at_m + int(bad[0])}: "
                                       f"{int(mult[bad[0]])}, expected 1..4")
                    if (mult == 1).all():
                        raise BnnError(f"layer {i} multiplicities at byte {at_m}: all 1 (write flag 0)")
            w = r.bits(oc, ic // G * kh * kw, f"layer {i} weights")
            neg, T = r.thresholds(oc, 2 if sc >= 0 else 1, f"layer {i}")
            layers.append(dict(type=1, in_shape=shape, in_c=ic, out_c=oc, k=(kh, kw), stride=s, pad=(ph, pw),
                               in_bits=ib, shortcut=sc, groups=G, mult=mult, w=w, neg=neg, T=T))
            shape = (oc, ho, wo, 1)
        elif t == 2:
            c, hd = r.take("HH", f"layer {i} se header")
            if c != C or bits != 1 or hd < 1:
                raise BnnError(f"layer {i} se at byte {at}: {c} channels / hidden {hd} on a "
                               f"{C}-channel {bits}-bit tensor")
            w1 = r.bits(hd, c, f"layer {i} fc1 weights")
            n1, T1 = r.thresholds(hd, 1, f"layer {i} fc1")
            w2 = r.bits(c, hd, f"layer {i} fc2 weights")
            n2, T2 = r.thresholds(c, 1, f"layer {i} fc2")
            layers.append(dict(type=2, in_shape=shape, c=c, hidden=hd, w1=w1, neg1=n1, T1=T1,
                               w2=w2, neg2=n2, T2=T2))
        elif t == 3:
            ic, k = r.take("HH", f"layer {i} classifier header")
            if i != n - 1:
                raise BnnError(f"layer {i} classifier at byte {at}: not the last layer")
            if ic != C or bits != 1 or k != classes:
                raise BnnError(f"layer {i} classifier at byte {at}: in_c {ic} / classes {k} vs tensor "
                               f"{C} channels {bits} bits / header classes {classes}")
            w = r.bits(k, ic, f"layer {i} classifier weights")
            scale = np.frombuffer(r.raw(4 * k, f"layer {i} scale"), "<f4").astype(np.float32)
            bias = np.frombuffer(r.raw(4 * k, f"layer {i} bias"), "<f4").astype(np.float32)
            layers.append(dict(type=3, in_shape=shape, in_c=ic, classes=k, w=w, scale=scale, bias=bias))
        else:
            raise BnnError(f"layer {i} type at byte {at}: {t}")
    if layers[-1]["type"] != 3:
        raise BnnError("last layer: not a CLASSIFIER")
    if r.o != len(data) - 4:
        raise BnnError(f"CRC at byte {r.o}: {len(data) - 4 - r.o} bytes between the last layer and the CRC")
    if ver == 3 and not any(L["type"] == 1 and L["mult"] is not None for L in layers):
        raise BnnError("version at byte 8: 3, but no CONV has multiplicities (one encoding per model)")
    model = dict(in_c=in_c, in_h=in_h, in_w=in_w, in_bits=in_bits, classes=classes, layers=layers)
    model["names"] = layer_names(layers)
    return model


def layer_names(layers):
    """SPEC section 3 names, derived from the topology."""
    nblocks = sum(1 for L in layers if L["type"] == 1 and L["shortcut"] >= 0)
    per = max(1, nblocks // 3)
    names, blk = [], -1
    for i, L in enumerate(layers):
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if (i > 0 and L["type"] == 1 and L.get("groups", 1) > 1 and L["shortcut"] < 0 and nxt is not None
                and nxt["type"] == 1 and nxt.get("groups", 1) == 1 and tuple(nxt["k"]) == (1, 1)):
            names.append(None)   # depthwise conv of a separable unit: the next name + ".dw"
            continue
        prev = layers[i - 1] if i > 0 else None
        if i == 0:
            names.append("conv1")
        elif (L["type"] == 1 and L["shortcut"] < 0 and prev is not None and prev["type"] == 1 and i >= 2
              and prev["shortcut"] < 0 and names[i - 1] is not None and names[i - 1].endswith("a")
              and nxt is not None and nxt["type"] == 1 and nxt["shortcut"] == i - 1):
            names.append(f"s{blk // per}b{blk % per}b")   # the middle conv of a bottleneck
        elif L["type"] == 1 and L["shortcut"] < 0:
            blk += 1
            names.append(f"s{blk // per}b{blk % per}a")
        elif L["type"] == 1:
            bott = i >= 2 and L["shortcut"] == i - 2 and layers[i - 1]["shortcut"] < 0
            names.append(f"s{blk // per}b{blk % per}" + ("c" if bott else "b"))
        elif L["type"] == 2:
            names.append(f"s{blk // per}b{blk % per}se")
        else:
            names.append("fc")
        if i > 0 and names[i - 1] is None:
            names[i - 1] = names[i] + ".dw"
    return names


# ----------------------------------------------- the integer evaluator ----

def mac(a, bits, nbits):
    """Bit-serial MAC of SPEC section 1: a [M, n] unsigned ints of nbits bits,
    bits [O, n] weight bits (1 = +1). For k = nbits-1 downto 0:
    P_k = popcount(a_k AND b), X_k = popcount(a_k), acc = 2*acc + 2*P_k - X_k.
    P_k is a 0/1 matrix product in float32 (exact: every sum < 2^24)."""
    if a.size and int(a.max()) >= (1 << nbits):
        raise BnnError(f"input value {int(a.max())} does not fit {nbits} bits")
    if a.shape[1] >= (1 << 24):
        raise BnnError("vector too long for the float32 popcount")
    b = bits.astype(np.float32).T
    acc = np.zeros((a.shape[0], bits.shape[0]), dtype=np.int64)
    for k in range(nbits - 1, -1, -1):
        ak = ((a >> k) & 1).astype(np.float32)
        P = np.rint(ak @ b).astype(np.int64)
        X = ak.sum(axis=1, dtype=np.float64).astype(np.int64)[:, None]
        acc = 2 * acc + (2 * P - X)
    return acc


def apply_thr(dot, neg, T, x=None):
    """dot [M, O] -> (s*dot >= T[x]) as 0/1; x [M, O] shortcut bits or None."""
    s = np.where(neg.astype(bool), -1, 1)[None, :]
    t = T[:, 0][None, :] if x is None else np.where(x.astype(bool), T[:, 1][None, :], T[:, 0][None, :])
    return (s * dot >= t).astype(np.uint8)


GEMM_TORCH = None   # set to the torch module to run the 0/1 products of conv_int as torch conv2d


def conv_int_torch(a, L, Ho, Wo):
    """The same bit-serial P_k / X_k as conv_int's numpy path, with the 0/1
    products done by torch's conv2d in float32 (exact: every sum < 2^24).
    Numpy's reference BLAS here is ~20x slower."""
    torch = GEMM_TORCH
    kh, kw = L["k"]
    O = L["out_c"]
    C = a.shape[1]
    m = L.get("mult")
    mc = np.ones(C, np.float32) if m is None else m.astype(np.float32)   # channel c's rows m[c] times
    wt = torch.from_numpy(L["w"].reshape(O, C, kh, kw).astype(np.float32) * mc[None, :, None, None])
    ones = torch.from_numpy(np.broadcast_to(mc[None, :, None, None], (1, C, kh, kw)).copy())
    acc = None
    for k in range(L["in_bits"] - 1, -1, -1):
        ak = torch.from_numpy(((a >> k) & 1).astype(np.float32))
        P = torch.nn.functional.conv2d(ak, wt, stride=L["stride"], padding=L["pad"])
        X = torch.nn.functional.conv2d(ak, ones, stride=L["stride"], padding=L["pad"])
        d = 2 * P.round().long() - X.round().long()
        acc = d if acc is None else 2 * acc + d
    assert acc.shape[2:] == (Ho, Wo)
    return acc.permute(0, 2, 3, 1).reshape(-1, O).numpy()


def conv_int(a, L):
    """a [B, C, H, W] -> dots [B*Ho*Wo, O] (rows in b, y, x order), Ho, Wo.
    Element i = c*(kh*kw) + ky*kw + kx of the vector of output pixel (y, x) is
    in[c][y*S+ky-ph][x*S+kx-pw] (0 outside: zero padding). Per bit plane, P_k
    and X_k are sums over the n elements; they are summed tap by tap (an exact
    integer re-association of the same sum) so no im2col copy is needed."""
    G = L.get("groups", 1)
    if G > 1:
        # grouped: group g's outputs see only its in_c/G input channels; each
        # group is an ordinary conv of its own (its own P and X)
        Cg, Og = a.shape[1] // G, L["out_c"] // G
        parts = []
        for g in range(G):
            Lg = dict(L, groups=1, out_c=Og, w=L["w"][g * Og:(g + 1) * Og])
            d, Ho, Wo = conv_int(np.ascontiguousarray(a[:, g * Cg:(g + 1) * Cg]), Lg)
            parts.append(d)
        return np.concatenate(parts, axis=1), Ho, Wo
    kh, kw = L["k"]
    ph, pw = L["pad"]
    s = L["stride"]
    B, C, H, W = a.shape
    O = L["out_c"]
    Ho, Wo = (H + 2 * ph - kh) // s + 1, (W + 2 * pw - kw) // s + 1
    m = L.get("mult")
    mc = np.ones(C, np.float32) if m is None else m.astype(np.float32)   # channel c's rows m[c] times
    wt = L["w"].reshape(O, C, kh, kw).astype(np.float32) * mc[None, :, None, None]
    nbits = L["in_bits"]
    if a.size and int(a.max()) >= (1 << nbits):
        raise BnnError(f"input value {int(a.max())} does not fit {nbits} bits")
    acc = np.zeros((B * Ho * Wo, O), dtype=np.int64)
    if GEMM_TORCH is not None:
        return conv_int_torch(a, L, Ho, Wo), Ho, Wo
    for k in range(nbits - 1, -1, -1):
        ak = ((a >> k) & 1).astype(np.float32) if nbits > 1 else a.astype(np.float32)
        ap = np.pad(ak, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        P = np.zeros((B * Ho * Wo, O), dtype=np.float32)
        X = np.zeros(B * Ho * Wo, dtype=np.float32)
        for ky in range(kh):
            for kx in range(kw):
                patch = ap[:, :, ky:ky + s * (Ho - 1) + 1:s, kx:kx + s * (Wo - 1) + 1:s]
                patch = np.ascontiguousarray(patch.transpose(0, 2, 3, 1)).reshape(B * Ho * Wo, C)
                P += patch @ wt[:, :, ky, kx].T                                  # popcount(a_k AND b)
                X += patch @ mc                                                  # popcount(a_k), copies too
        acc = 2 * acc + (2 * np.rint(P).astype(np.int64) - np.rint(X).astype(np.int64)[:, None])
    return acc, Ho, Wo


def eval_int(model, images):
    """Integer forward of docs/SPEC.md on images [B, C, H, W] (uint8).
    Returns predictions [B], per-layer input zero fractions [n_layers],
    SE gate zero fraction per SE layer [n_se], scores [B, classes]."""
    layers = model["layers"]
    inputs = []
    a = images.astype(np.int32)
    B = a.shape[0]
    zero_frac, se_zero = [], []
    pred = scores = None
    for L in layers:
        inputs.append(a)
        zero_frac.append(float((a == 0).mean()))
        if L["type"] == 1:
            dot, Ho, Wo = conv_int(a, L)
            O = L["out_c"]
            if L["shortcut"] >= 0:
                sc = inputs[L["shortcut"]]             # the input of the shortcut layer
                Ssh, Ssw = sc.shape[2] // Ho, sc.shape[3] // Wo
                sub = sc[:, :, ::Ssh, ::Ssw][:, :, :Ho, :Wo]   # keep pixel (y*S, x*S)
                x = np.zeros((B, O, Ho, Wo), dtype=np.uint8)
                x[:, :sub.shape[1]] = sub                      # channels >= C_sc: x = 0
                xr = x.transpose(0, 2, 3, 1).reshape(B * Ho * Wo, O)
                out = apply_thr(dot, L["neg"], L["T"], xr)
            else:
                out = apply_thr(dot, L["neg"], L["T"])
            a = np.ascontiguousarray(out.reshape(B, Ho, Wo, O).transpose(0, 3, 1, 2)).astype(np.int32)
        elif L["type"] == 2:
            H, W = a.shape[2], a.shape[3]
            q = a.sum(axis=(2, 3))                                          # count of ones per channel
            h = apply_thr(mac(q, L["w1"], bitlen(H * W)), L["neg1"], L["T1"])
            g = apply_thr(mac(h.astype(np.int64), L["w2"], 1), L["neg2"], L["T2"])
            se_zero.append(float((g == 0).mean()))
            a = a & g.astype(np.int32)[:, :, None, None]
        else:
            H, W = a.shape[2], a.shape[3]
            q = a.sum(axis=(2, 3), dtype=np.int64)
            logit = mac(q, L["w"], bitlen(H * W))
            if np.abs(logit).max() >= (1 << 31):
                raise BnnError("classifier logit overflows int32")
            prod = logit.astype(np.int32).astype(np.float32) * L["scale"][None, :]   # one float32 multiply
            scores = (prod + L["bias"][None, :]).astype(np.float32)                  # then one float32 add
            pred = np.argmax(scores, axis=1)  # lowest index wins ties
    return pred, np.array(zero_frac), np.array(se_zero), scores


def eval_file(model, x, bs=500):
    preds, zsum, sesum = [], 0.0, 0.0
    for i in range(0, len(x), bs):
        p, z, se, _ = eval_int(model, x[i:i + bs])
        preds.append(p)
        zsum = zsum + z * len(p)
        sesum = sesum + se * len(p)
    n = len(x)
    return np.concatenate(preds), np.asarray(zsum) / n, np.asarray(sesum) / n


def se_per_stage(model, se_blocks):
    names = [nm for nm, L in zip(model["names"], model["layers"]) if L["type"] == 2]
    out = []
    for s in range(3):
        v = [z for nm, z in zip(names, se_blocks) if nm.startswith(f"s{s}b")]
        out.append(float(np.mean(v)) if v else None)
    return out if names else []


# ---------------------------------------------------------------- main ----

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", nargs="?")
    ap.add_argument("-o", "--output", help="the .bnn file to write")
    ap.add_argument("--eval", metavar="BNN", help="only parse, validate and evaluate this .bnn file")
    ap.add_argument("--data", default=None, help="fashion-mnist or cifar10 (default: the checkpoint's)")
    ap.add_argument("--count", type=int, default=10000, help="test images to evaluate")
    ap.add_argument("--pred-count", type=int, default=1000, help="predictions written to the .pred file")
    ap.add_argument("--cifar-dir")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--numpy-only", action="store_true",
                    help="integer evaluator without torch's conv2d for the 0/1 products (slow with reference BLAS)")
    ap.add_argument("--crosscheck", type=int, default=100,
                    help="also run this many test images through the pure-numpy path and compare")
    a = ap.parse_args()
    t0 = time.time()

    from bnn_torch import load_data
    global GEMM_TORCH
    if not a.numpy_only:
        import torch
        torch.set_num_threads(a.threads)
        GEMM_TORCH = torch

    def crosscheck(im, x):
        """Pure-numpy path vs the torch-conv path on a few images: scores identical."""
        global GEMM_TORCH
        if GEMM_TORCH is None or a.crosscheck <= 0:
            return
        keep, GEMM_TORCH = GEMM_TORCH, None
        _, z0, s0, sc0 = eval_int(im, x[:a.crosscheck])
        GEMM_TORCH = keep
        _, z1, s1, sc1 = eval_int(im, x[:a.crosscheck])
        if not (np.array_equal(sc0, sc1) and np.array_equal(z0, z1) and np.array_equal(s0, s1)):
            raise SystemExit("export: the numpy and torch-conv integer paths disagree")
        print(f"export: numpy-only integer path == torch-conv integer path on {a.crosscheck} images")

    if a.eval:
        im = parse_bnn(open(a.eval, "rb").read())
        data = a.data or ("fashion-mnist" if (im["in_c"], im["in_h"]) == (1, 28) else "cifar10")
        x, y = load_data(data, "test", a.cifar_dir)
        x, y = x[:a.count], y[:a.count]
        crosscheck(im, x)
        preds, zf, se = eval_file(im, x)
        print(f"eval: {a.eval}: {len(im['layers'])} layers, integer accuracy {(preds == y).mean() * 100:.2f}% "
              f"on {len(x)} {data} test images")
        if len(se):
            print("eval: SE channels zeroed per stage " +
                  " ".join(f"{v * 100:.1f}%" for v in se_per_stage(im, se)))
        for nm, z in zip(im["names"], zf):
            print(f"  {nm:10s} input zero fraction {z:.4f}")
        return
    if not a.checkpoint or not a.output:
        ap.error("a checkpoint and -o are required (or --eval BNN)")

    import torch
    from bnn_torch import BinResNet
    torch.set_num_threads(a.threads)

    ck = torch.load(a.checkpoint, map_location="cpu")
    cfg = ck["cfg"]
    if cfg.get("real"):
        ap.error(f"{a.checkpoint}: a full-precision teacher (train.py --real) has no binary form to export")
    model = BinResNet.from_checkpoint(ck)
    blob = serialize(cfg, cfg["classes"], build_layers(model, cfg))
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    with open(a.output + ".tmp", "wb") as f:
        f.write(blob)
    os.replace(a.output + ".tmp", a.output)

    # read the file back from its bytes and evaluate the integer model
    im = parse_bnn(open(a.output, "rb").read())
    data = a.data or cfg["data"]
    x, y = load_data(data, "test", a.cifar_dir)
    x, y = x[:a.count], y[:a.count]
    crosscheck(im, x)
    preds, zf, se_blocks = eval_file(im, x)
    fpreds = []
    with torch.no_grad():
        for i in range(0, len(x), 500):
            s, _ = model(torch.from_numpy(x[i:i + 500]).float())
            fpreds.append(s.argmax(1).numpy())
    fpreds = np.concatenate(fpreds)
    acc_int = float((preds == y).mean())
    acc_float = float((fpreds == y).mean())
    se_stage = se_per_stage(im, se_blocks)
    base = a.output[:-4] if a.output.endswith(".bnn") else a.output
    with open(base + ".pred", "w") as f:
        f.write(f"# integer predictions of {os.path.basename(a.output)} on {data}:test images "
                f"0..{min(a.pred_count, len(preds)) - 1} (tools/export.py)\n")
        for p in preds[:a.pred_count]:
            f.write(f"{int(p)}\n")
    log = ck.get("log", [])
    spe = math.ceil(60000 / ck.get("args", {}).get("batch", 256)) if data == "fashion-mnist" else None
    summary = {
        "model": os.path.basename(a.output), "checkpoint": os.path.abspath(a.checkpoint),
        "bytes": len(blob), "data": data, "test_images": int(len(x)),
        "accuracy_integer": acc_int, "accuracy_float": acc_float,
        "integer_float_agreement": float((preds == fpreds).mean()),
        "se": bool(cfg["se"]), "se_hidden": [L["hidden"] for L in im["layers"] if L["type"] == 2],
        "se_channels_zeroed_per_stage": se_stage,
        "se_channels_zeroed_per_block": dict(
            (nm, float(z)) for nm, z in zip([n for n, L in zip(im["names"], im["layers"]) if L["type"] == 2],
                                            se_blocks)),
        "input_zero_fraction_per_layer": dict((nm, float(z)) for nm, z in zip(im["names"], zf)),
        "epochs": len(log), "epochs_partial": sum(1 for r in log if r.get("partial")),
        "train_seconds_all_phases": float(sum(r.get("epoch_seconds", 0) for r in log)),
        "train_wall_seconds_last_phase": ck.get("wall_seconds"),
        "train_args_last_phase": ck.get("args"), "cfg": cfg,
        "train_log": log,
    }
    if spe:
        summary["steps_per_epoch"] = spe
    with open(base + ".json", "w") as f:
        json.dump(summary, f, indent=1)
    print(f"export: wrote {a.output} ({len(blob)} bytes), {base}.pred, {base}.json")
    print(f"export: test accuracy integer {acc_int * 100:.2f}% float {acc_float * 100:.2f}% "
          f"(agreement {summary['integer_float_agreement'] * 100:.2f}%) on {len(x)} images")
    if se_stage:
        print("export: SE channels zeroed per stage " + " ".join(f"{v * 100:.1f}%" for v in se_stage))
    for nm, z in zip(im["names"], zf):
        print(f"  {nm:10s} input zero fraction {z:.4f}")
    print(f"export: {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
