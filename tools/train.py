#!/usr/bin/python3
"""train.py - trains the binarized (SE-)ResNet of docs/SPEC.md.

Usage (Fashion-MNIST from Debian's dataset-fashion-mnist, CPU):
  tools/train.py --se --out run/se.pt --time-budget 90
  tools/train.py --no-se --out run/plain.pt --epochs 15
  tools/train.py --data cifar10 --cifar-dir DIR --se --out run/c10.pt

The learning rate follows a cosine schedule over the epochs that fit in
--time-budget minutes (measured after the first epoch) or --epochs, whichever
is smaller. A checkpoint is written after every epoch, so a run cut short
still leaves a usable model. Export with tools/export.py.
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bnn_torch import BinResNet, load_data  # noqa: E402


def augment(xb, pad, flip, gen):
    """Random crop with zero padding and horizontal flip (uint8-valued floats)."""
    n, _, h, w = xb.shape
    if pad:
        xp = F.pad(xb, (pad, pad, pad, pad))
        dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        rows = (torch.arange(h)[None, :] + dy[:, None])
        cols = (torch.arange(w)[None, :] + dx[:, None])
        idx_n = torch.arange(n)[:, None, None]
        xb = xp.permute(0, 2, 3, 1)[idx_n, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
    if flip:
        m = torch.rand(n, generator=gen) < 0.5
        xb = torch.where(m[:, None, None, None], xb.flip(3), xb)
    return xb.contiguous()


def evaluate(model, x, y, bs=1000):
    model.eval()
    correct, zeros, blocks = 0, None, 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            xb = torch.from_numpy(x[i:i + bs]).float()
            s, gates = model(xb)
            correct += (s.argmax(1).numpy() == y[i:i + bs]).sum()
            if gates:
                z = np.array([(1 - g.mean().item()) * len(xb) for _, g in gates])
                zeros = z if zeros is None else zeros + z
    model.train()
    acc = correct / len(x)
    per_block = (zeros / len(x)).tolist() if zeros is not None else []
    return acc, per_block


def bn_recalibrate(model, x, batches, bs, gen):
    """Re-estimates every BN's running mean and variance as the plain average
    over `batches` training batches (train-mode forward, no gradient). The
    exponential running averages of the last steps lag the weights, which
    moves the exported thresholds; this is what the file then encodes."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    model.train()
    model.set_gate_alpha(1.0)
    perm = torch.randperm(len(x), generator=gen).numpy()
    with torch.no_grad():
        for bi in range(min(batches, len(x) // bs)):
            model(torch.from_numpy(x[perm[bi * bs:(bi + 1) * bs]]).float())
    for m, mom in zip(bns, saved):
        m.momentum = mom


def load_teacher(path):
    """A trained checkpoint as a model in evaluation mode (distillation teacher)."""
    return BinResNet.from_checkpoint(torch.load(path, map_location="cpu"))


def shift_gates(model, spec, n, ap):
    """--gate-shift: z = BN(fc2) and the gate is z >= 0, so lowering the BN
    bias by d * |gamma| moves every gate's threshold up by d standard
    deviations of fc2's batch statistics."""
    try:
        d = [float(v) for v in spec.split(",")]
    except ValueError:
        d = []
    if len(d) != 3:
        ap.error(f"--gate-shift {spec}: expected three numbers D0,D1,D2 (one per stage)")
    if not model.has_se:
        ap.error("--gate-shift needs an SE model")
    for i, blk in enumerate(model.blocks):
        bn = blk.se.bn2
        bn.bias.data -= d[i // n] * bn.weight.data.abs()
    print(f"train: SE gate BN biases lowered by {d} x |scale| per stage", flush=True)


def scores_of(model, x, bs=1000):
    """The model's scores on all of x (no gradient)."""
    with torch.no_grad():
        return torch.cat([model(torch.from_numpy(x[i:i + bs]).float())[0] for i in range(0, len(x), bs)])


def stage_fracs(per_block, n):
    return [float(np.mean(per_block[s * n:(s + 1) * n])) for s in range(3)] if per_block else []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fashion-mnist", choices=["fashion-mnist", "cifar10"])
    ap.add_argument("--cifar-dir", help="directory with CIFAR-10 binary batches")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--se", dest="se", action="store_true", default=True, help="SE attention in every block (default)")
    g.add_argument("--no-se", dest="se", action="store_false")
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--real", action="store_true",
                    help="full-precision twin (real weights, ReLU, no SE; with --no-se): a distillation "
                    "teacher for --distill, not exportable")
    ap.add_argument("--depth", type=int, default=14, help="6n+2")
    ap.add_argument("--se-div", type=int, default=4, help="SE hidden = C / se-div")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--time-budget", type=float, default=0, help="minutes; 0 = no limit")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--gate-reg", type=float, default=0.0,
                    help="weight of the SE gate-density penalty (mean soft gate density)")
    ap.add_argument("--gate-target", type=float, default=0.0,
                    help="with --gate-reg: penalize only the soft gate density above this value")
    ap.add_argument("--gate-bias", type=float, default=1.5,
                    help="initial bias of the SE gate BN (z = BN(fc2)); > 0 starts with most gates open")
    ap.add_argument("--gate-reg-mode", default="block", choices=["block", "mean"],
                    help="block: the density penalty applies to every SE block separately (each block is "
                    "pushed to the target); mean: to the mean density over all blocks")
    ap.add_argument("--gate-reg-area", action="store_true",
                    help="weight each block's density penalty by its feature-map area relative to the last "
                    "stage (x16, x4, x1 for 28x28, 14x14, 7x7): the task gradient on a gate sums over the "
                    "area it gates, so without this the first stages' gates hardly close")
    ap.add_argument("--distill", metavar="CKPT",
                    help="distillation: add the KL divergence to this trained model's softened scores")
    ap.add_argument("--distill-weight", type=float, default=0.5,
                    help="with --distill: loss = (1-w)*CE + w*T^2*KL")
    ap.add_argument("--distill-temp", type=float, default=2.0)
    ap.add_argument("--bn-recal", type=int, default=0, metavar="BATCHES",
                    help="after training, re-estimate all BN statistics over this many training batches "
                    "(with --epochs 0: recalibrate the --init checkpoint only)")
    ap.add_argument("--gate-shift", metavar="D0,D1,D2",
                    help="with --init: lower every SE gate's BN bias in stage s by Ds times the BN's |scale| "
                    "before training (closes more gates; with --epochs 0 --bn-recal N a post-hoc sparsity knob)")
    ap.add_argument("--gate-warmup", type=float, default=0.4,
                    help="fraction of training over which SE gating is blended in (0 = gate from the start)")
    ap.add_argument("--no-augment", dest="augment", action="store_false", default=True,
                    help="no random crop / horizontal flip (short schedules of a narrow binary net underfit "
                    "with them)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--progress", type=int, default=0, help="print a progress line every N steps (0 = off)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after N steps (smoke tests)")
    ap.add_argument("--out", required=True, help="checkpoint path (.pt)")
    ap.add_argument("--init", help="start from this checkpoint's weights (same architecture); "
                    "the schedule, warm-up and log start afresh")
    ap.add_argument("--init-partial", action="store_true",
                    help="with --init: load matching tensors only (e.g. a no-SE model into an SE model); "
                    "the SE layers start fresh")
    ap.add_argument("--hard-stop", action="store_true",
                    help="with --time-budget: the LR schedule follows elapsed time / budget and training "
                    "stops (checkpoint saved) when the budget is spent, even mid-epoch")
    a = ap.parse_args()

    if (a.depth - 2) % 6:
        ap.error("--depth must be 6n+2")
    if a.real and a.se:
        ap.error("--real needs --no-se (the full-precision teacher has no SE)")
    if a.gate_shift and not a.init:
        ap.error("--gate-shift needs --init (it shifts a trained model's gates)")
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(a.seed)

    xtr, ytr = load_data(a.data, "train", a.cifar_dir)
    xte, yte = load_data(a.data, "test", a.cifar_dir)
    n = (a.depth - 2) // 6
    model = BinResNet(in_c=xtr.shape[1], width=a.width, n=n, se=a.se, se_div=a.se_div, classes=10,
                      gate_bias=a.gate_bias, real=a.real)
    prior_log = []
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        if bool(ck["cfg"].get("real", False)) != a.real:
            ap.error(f"--init {a.init}: a {'full-precision' if ck['cfg'].get('real') else 'binary'} checkpoint, "
                     f"this run is {'full-precision (--real)' if a.real else 'binary'}")
        if a.init_partial:
            own = model.state_dict()
            src = {k: v for k, v in ck["state"].items() if k in own and own[k].shape == v.shape}
            model.load_state_dict(src, strict=False)
            print(f"train: partial init, {len(src)}/{len(own)} tensors loaded", flush=True)
        else:
            model.load_state_dict(ck["state"])
        prior_log = ck.get("log", [])
        print(f"train: initialized from {a.init} ({len(prior_log)} epochs)", flush=True)
    if a.gate_shift:
        shift_gates(model, a.gate_shift, n, ap)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    teacher = load_teacher(a.distill) if a.distill else None
    # without augmentation the inputs are fixed: the teacher's scores once
    t_scores = scores_of(teacher, xtr) if teacher is not None and not a.augment else None
    if teacher is not None:
        print(f"train: distilling from {a.distill} (weight {a.distill_weight}, T {a.distill_temp})", flush=True)
    # gate penalty weights: each block's feature-map area relative to the last
    # stage's (stages 1 and 2 halve height and width)
    area_w = (torch.tensor([4.0 ** (2 - s_) for s_ in range(3) for _ in range(n)])
              if a.gate_reg_area else None)
    steps_per_epoch = math.ceil(len(xtr) / a.batch)
    total_epochs = a.epochs
    pad = 2 if a.data == "fashion-mnist" else 4
    t0 = time.time()
    log = list(prior_log)
    print(f"train: {a.data} depth {a.depth} width {a.width} se={a.se} augment={a.augment} gate_reg={a.gate_reg} "
          f"epochs<={a.epochs} budget={a.time_budget}min", flush=True)
    step_i = 0
    epoch = 0

    def save():
        torch.save({"state": model.state_dict(),
                    "cfg": {"in_c": int(xtr.shape[1]), "width": a.width, "n": n, "se": a.se, "real": a.real,
                            "se_div": a.se_div, "classes": 10, "data": a.data,
                            "in_h": int(xtr.shape[2]), "in_w": int(xtr.shape[3])},
                    "args": vars(a), "log": log, "wall_seconds": time.time() - t0}, a.out)

    stop = False
    while epoch < total_epochs and not stop:
        te = time.time()
        perm = torch.randperm(len(xtr), generator=gen).numpy()
        tot_loss, tot_n, dens = 0.0, 0, []
        for bi in range(steps_per_epoch):
            idx = perm[bi * a.batch:(bi + 1) * a.batch]
            xb = torch.from_numpy(xtr[idx]).float()
            if a.augment:
                xb = augment(xb, pad, True, gen)
            yb = torch.from_numpy(ytr[idx])
            frac = step_i / (total_epochs * steps_per_epoch)
            if a.max_steps and step_i >= a.max_steps:
                stop = True
                break
            if a.hard_stop and a.time_budget > 0:
                frac = max(frac, (time.time() - t0) / (a.time_budget * 60))
                if frac >= 1.0:
                    stop = True
                    break
            lr = 0.5 * a.lr * (1 + math.cos(math.pi * min(1.0, frac)))
            for pg in opt.param_groups:
                pg["lr"] = lr
            model.set_gate_alpha(1.0 if a.gate_warmup <= 0 else min(1.0, frac / a.gate_warmup))
            scores, gates = model(xb)
            loss = F.cross_entropy(scores, yb)
            if teacher is not None:
                if t_scores is not None:
                    ts = t_scores[idx]
                else:
                    with torch.no_grad():
                        ts = teacher(xb)[0]
                tt = a.distill_temp
                kl = F.kl_div(F.log_softmax(scores / tt, 1), F.softmax(ts / tt, 1), reduction="batchmean")
                loss = (1 - a.distill_weight) * loss + a.distill_weight * tt * tt * kl
            if gates and a.gate_reg > 0:
                soft = torch.stack([torch.sigmoid(z).mean() for z, _ in gates])
                if a.gate_reg_mode == "block":
                    over = torch.relu(soft - a.gate_target)
                    if area_w is not None:
                        over = over * area_w
                    loss = loss + a.gate_reg * over.mean()
                else:
                    loss = loss + a.gate_reg * torch.relu(soft.mean() - a.gate_target)
            if gates:
                dens.append(np.mean([gg.mean().item() for _, gg in gates]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            model.clip_latent()
            tot_loss += loss.item() * len(idx)
            tot_n += len(idx)
            step_i += 1
            if a.progress and step_i % a.progress == 0:
                print(f"  step {step_i} ({bi + 1}/{steps_per_epoch}) loss {loss.item():.4f} lr {lr:.2e} "
                      f"alpha {min(1.0, frac / a.gate_warmup) if a.gate_warmup > 0 else 1.0:.2f} "
                      f"gate_density {dens[-1] if dens else 1:.2f} elapsed {(time.time() - t0) / 60:.1f} min",
                      flush=True)
        epoch += 1
        ep_time = time.time() - te
        if epoch == 1 and a.time_budget > 0 and not a.hard_stop:
            fit = int((a.time_budget * 60 - (time.time() - t0)) // (ep_time * 1.08)) + 1
            total_epochs = max(1, min(a.epochs, fit))
            print(f"train: epoch time {ep_time:.0f}s -> {total_epochs} epochs fit the budget", flush=True)
        acc, per_block = evaluate(model, xte, yte)
        zf = stage_fracs(per_block, n)
        rec = {"epoch": epoch, "steps": step_i, "partial": stop, "loss": tot_loss / max(1, tot_n), "test_acc": float(acc),
               "se_zero_per_stage": zf, "epoch_seconds": ep_time, "lr": lr}
        log.append(rec)
        print(f"epoch {epoch:2d}/{total_epochs}{' (cut)' if stop else ''} loss {rec['loss']:.4f} test {acc*100:.2f}% "
              f"se_zero {['%.2f' % v for v in zf]} train_gate_density {np.mean(dens) if dens else 1:.2f} "
              f"{ep_time:.0f}s", flush=True)
        save()
    # after training: BN re-estimation, or with no training step at all (--epochs
    # 0, e.g. only --gate-shift) the model as initialized; evaluated and saved
    if a.bn_recal > 0 or epoch == 0:
        tr = time.time()
        rec = {"epoch": epoch, "steps": step_i}
        if a.bn_recal > 0:
            bn_recalibrate(model, xtr, a.bn_recal, a.batch, gen)
            rec["bn_recal"] = a.bn_recal
        acc, per_block = evaluate(model, xte, yte)
        zf = stage_fracs(per_block, n)
        rec.update(test_acc=float(acc), se_zero_per_stage=zf, epoch_seconds=time.time() - tr)
        log.append(rec)
        what = f"bn-recal over {a.bn_recal} batches" if a.bn_recal > 0 else "as initialized"
        print(f"{what}: test {acc*100:.2f}% se_zero {['%.2f' % v for v in zf]}", flush=True)
        save()
    wall = time.time() - t0
    final = f", final test {log[-1]['test_acc']*100:.2f}%" if log else ""
    print(f"train: done, {epoch} epochs, {wall/60:.1f} min{final}", flush=True)
    with open(a.out + ".log.json", "w") as f:
        json.dump({"args": vars(a), "log": log, "wall_seconds": wall}, f, indent=1)


if __name__ == "__main__":
    main()
