#!/usr/bin/python3
"""Writes src/test/resources/fixtures/bf16.bin: the references trot's bf16 products (--set precision=bf16) are
checked against.

Two kinds of reference, both from PyTorch:

  products   C = op(A) op(B) for the three transposes a layer uses (forward X W, backward X^T dY and dY W^T) at
             the learner's shapes, computed as bf16(A) bf16(B) in float64: the factors rounded to bfloat16 by
             PyTorch (round to nearest even), the sum exact. What trot's bf16 product must return up to its
             float32 accumulation (about 1e-6 relative): a wrong rounding of the factors (truncation) or a
             product left in fp32 misses it by 1e-3.
  autocast   the DroQ critic (60 -> 256 -> 256 -> 1, dropout with given masks, LayerNorm) and the actor
             (48 -> 256 -> 256 -> 24) forward and backward in float32 under torch.autocast("cpu", bfloat16), the
             way PyTorch users train in bf16. Autocast also rounds each Linear's output to bf16, which trot does
             not (its products return fp32), so the two differ by a few bf16 roundings: the Java test states
             that tolerance, and checks both against the float64 answer of critic.bin/actor.bin's networks.

Run with Debian's interpreter: /usr/bin/python3 reference/make_bf16_fixtures.py [output directory]
Format: reference/make_fixtures.py's.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402  (the Writer, the Mlp, the generators and the squash of the fp32 fixtures)

SEED = 20261203


def bf16(t):
    return t.to(torch.float32).to(torch.bfloat16).to(torch.float64)


def product_case(w, name, m, n, k, ta, tb):
    """Column-major C (m x n) = op(A) op(B) stored as PyTorch (rows, cols) tensors of op(A) and op(B)."""
    opa = mf.randn(m, k)
    opb = mf.randn(k, n)
    c = bf16(opa) @ bf16(opb)
    w.add(f"{name}.a", opa.t() if ta else opa)  # the stored A: k x m when transposed
    w.add(f"{name}.b", opb.t() if tb else opb)
    w.add(f"{name}.c", c)


def network_case(w, name, net_in, hidden, net_out, rate, layer_norm, batch, head_actions=0):
    torch.set_default_dtype(torch.float64)
    net = mf.Mlp(net_in, hidden, net_out, rate, layer_norm)
    keeps = [mf.keep_mask(rate, batch, h) for h in hidden] if rate > 0 else []
    x = mf.randn(batch, net_in)
    dy = mf.randn(batch, net_out)
    for k, p in net.named():
        w.add(f"{name}.{k}", p)
    for i, keep in enumerate(keeps):
        w.add(f"{name}.keep{i}", keep.to(torch.uint8))
    w.add(f"{name}.x", x)
    w.add(f"{name}.dy", dy)
    # float64, exact: what fp32 computes up to rounding
    xr = x.clone().requires_grad_()
    (net(xr, keeps) * dy).sum().backward()
    w.add(f"{name}.exact.y", net(x, keeps))
    w.add(f"{name}.exact.dx", xr.grad)
    for k, p in net.named():
        w.add(f"{name}.exact.grad.{k}", p.grad)
        p.grad = None
    # float32 under bf16 autocast
    net32 = net.to(torch.float32)
    x32 = x.to(torch.float32).requires_grad_()
    keeps32 = [k.to(torch.float32) for k in keeps]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = net32(x32, keeps32)
        (y.float() * dy.to(torch.float32)).sum().backward()
    w.add(f"{name}.autocast.y", y.float())
    w.add(f"{name}.autocast.dx", x32.grad)
    for k, p in net32.named():
        w.add(f"{name}.autocast.grad.{k}", p.grad)
    torch.set_default_dtype(torch.float64)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "test",
                                                              "resources", "fixtures")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    mf.gen.manual_seed(SEED)
    w = mf.Writer("bf16 references: products bf16(A) bf16(B) in float64 (forward NN, weight-gradient TN, "
                  "input-gradient NT at the learner's shapes); the DroQ critic and the actor under "
                  "torch.autocast(cpu, bfloat16), with their float64 answers", generator="reference/make_bf16_fixtures.py",
                  seed=SEED)
    product_case(w, "nn", 256, 256, 60, False, False)     # Y = X W, first critic layer
    product_case(w, "nn256", 256, 256, 256, False, False)  # Y = X W, hidden layer
    product_case(w, "tn", 256, 256, 256, True, False)      # dW = X^T dY
    product_case(w, "nt", 256, 24, 256, False, True)       # dX = dY W^T, the actor's output layer
    network_case(w, "critic", 60, [256, 256], 1, 0.01, True, 256)
    network_case(w, "actor", 48, [256, 256], 24, 0.0, False, 256)
    w.write(os.path.join(out, "bf16.bin"))


if __name__ == "__main__":
    main()
