#!/usr/bin/python3
"""Writes the reference fixtures that trot's Java tests compare the numeric engine against.

Every fixture is computed by PyTorch's own modules and autograd (nn.Linear, nn.LayerNorm, relu,
torch.distributions, torch.optim.Adam), in float64 from float32-representable inputs, and stored as
float32: the reference is then the correctly rounded answer, and a test's error is the Java engine's alone.

Run with Debian's interpreter (python3-torch imports only there):

    /usr/bin/python3 reference/make_fixtures.py [output directory, default src/test/resources/fixtures]

File format (little-endian), read by src/test/java/trot/nn/Fixture.java:

    magic    8 bytes  b"TROTFIX\\0"
    version  int32    1
    meta     int32 length, then that many bytes of UTF-8 JSON (generator, torch version, seed, notes)
    count    int32    number of tensors
    tensor   repeated count times:
               name   int32 length + UTF-8 bytes
               dtype  int32 (0 float32, 1 uint8)
               ndim   int32, then ndim int32 dimensions (PyTorch order)
               data   product(dims) elements, row-major (C order)

Layout: activations are PyTorch's (batch, features); Linear weights are PyTorch's (out, in).
Parameter names follow trot.nn.Mlp: fc<i>.weight, fc<i>.bias, ln<i>.gain, ln<i>.bias.
"""
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch.distributions import Normal
from torch.distributions.transforms import TanhTransform

VERSION = 1
SEED = 20221001
MAGIC = b"TROTFIX\0"
torch.set_default_dtype(torch.float64)


class Writer:
    def __init__(self, notes, generator="reference/make_fixtures.py", seed=SEED):
        self.tensors = []
        self.notes = notes
        self.generator, self.seed = generator, seed  # recorded in the metadata; make_learner_fixtures.py sets both

    def add(self, name, t):
        t = t.detach()
        if t.dtype in (torch.uint8, torch.bool):
            self.tensors.append((name, 1, t.to(torch.uint8).contiguous()))
        else:
            self.tensors.append((name, 0, t.to(torch.float32).contiguous()))

    def write(self, path):
        meta = json.dumps({"generator": self.generator, "torch": torch.__version__,
                           "seed": self.seed, "computed_in": "float64", "notes": self.notes}).encode()
        with open(path, "wb") as f:
            f.write(MAGIC)
            f.write(struct.pack("<i", VERSION))
            f.write(struct.pack("<i", len(meta)))
            f.write(meta)
            f.write(struct.pack("<i", len(self.tensors)))
            for name, dtype, t in self.tensors:
                nb = name.encode()
                f.write(struct.pack("<i", len(nb)))
                f.write(nb)
                f.write(struct.pack("<i", dtype))
                f.write(struct.pack("<i", t.dim()))
                for d in t.shape:
                    f.write(struct.pack("<i", d))
                f.write(t.numpy().astype("<f4" if dtype == 0 else "u1").tobytes())
        print(f"wrote {path}: {len(self.tensors)} tensors, {os.path.getsize(path)} bytes")


gen = torch.Generator().manual_seed(SEED)


def randn(*shape, scale=1.0):
    """Standard normal values, rounded to float32 so that Java holds them exactly."""
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale).to(torch.float64)


def uniform(lo, hi, *shape):
    return (torch.rand(*shape, generator=gen, dtype=torch.float32) * (hi - lo) + lo).to(torch.float64)


def keep_mask(rate, *shape):
    return (torch.rand(*shape, generator=gen) >= rate).to(torch.float64)


def f32(t):
    """Round a float64 parameter to float32 and back, so Java starts from exactly the same value."""
    with torch.no_grad():
        t.copy_(t.to(torch.float32).to(torch.float64))
    return t


def linear_case(w, name, batch, n_in, n_out):
    lin = torch.nn.Linear(n_in, n_out)
    torch.nn.init.xavier_uniform_(lin.weight)
    with torch.no_grad():
        lin.bias.copy_(randn(n_out, scale=0.1))
    f32(lin.weight), f32(lin.bias)
    x = randn(batch, n_in).requires_grad_()
    y = lin(x)
    dy = randn(batch, n_out)
    (y * dy).sum().backward()
    for k, v in [("x", x), ("weight", lin.weight), ("bias", lin.bias), ("y", y), ("dy", dy), ("dx", x.grad),
                 ("dweight", lin.weight.grad), ("dbias", lin.bias.grad)]:
        w.add(f"{name}.{k}", v)


def fixture_linear(out):
    w = Writer("Linear y = x W^T + b; dy is the upstream gradient, dx/dweight/dbias the gradients of sum(y*dy)")
    linear_case(w, "small", 4, 5, 7)
    linear_case(w, "paper", 256, 60, 256)
    linear_case(w, "out1", 256, 256, 1)
    linear_case(w, "batch1", 1, 48, 256)
    w.write(os.path.join(out, "linear.bin"))


def fixture_relu(out):
    w = Writer("ReLU; x has exact zeros, whose gradient is 0")
    x = randn(64, 32)
    x[::7, ::3] = 0.0
    x.requires_grad_()
    y = F.relu(x)
    dy = randn(64, 32)
    (y * dy).sum().backward()
    for k, v in [("x", x), ("y", y), ("dy", dy), ("dx", x.grad)]:
        w.add(k, v)
    w.write(os.path.join(out, "relu.bin"))


def layernorm_case(w, name, batch, n, offset):
    ln = torch.nn.LayerNorm(n, eps=1e-5)
    with torch.no_grad():
        ln.weight.copy_(uniform(0.5, 1.5, n))
        ln.bias.copy_(randn(n, scale=0.1))
    x = (randn(batch, n, scale=2.0) + offset).requires_grad_()
    y = ln(x)
    dy = randn(batch, n)
    (y * dy).sum().backward()
    for k, v in [("x", x), ("gain", ln.weight), ("bias", ln.bias), ("eps", torch.tensor([ln.eps])), ("y", y),
                 ("dy", dy), ("dx", x.grad), ("dgain", ln.weight.grad), ("dbias", ln.bias.grad)]:
        w.add(f"{name}.{k}", v)


def fixture_layernorm(out):
    w = Writer("LayerNorm over features, biased variance, eps 1e-5; inputs have a nonzero mean")
    layernorm_case(w, "small", 4, 6, 0.5)
    layernorm_case(w, "paper", 256, 256, 3.0)
    w.write(os.path.join(out, "layernorm.bin"))


def dropout_case(w, name, batch, n, rate):
    x = randn(batch, n).requires_grad_()
    keep = keep_mask(rate, batch, n)
    y = x * keep / (1.0 - rate)
    dy = randn(batch, n)
    (y * dy).sum().backward()
    for k, v in [("x", x), ("keep", keep.to(torch.uint8)), ("rate", torch.tensor([rate])), ("y", y), ("dy", dy),
                 ("dx", x.grad)]:
        w.add(f"{name}.{k}", v)


def fixture_dropout(out):
    w = Writer("inverted dropout y = x * keep / (1 - rate) with a given keep mask (1 keep, 0 drop)")
    dropout_case(w, "small", 8, 16, 0.25)
    dropout_case(w, "paper", 64, 256, 0.01)
    w.write(os.path.join(out, "dropout.bin"))


def squash(net_out, noise, n_act):
    """tanh-Gaussian head, built from torch.distributions: Normal log-density and TanhTransform's Jacobian."""
    mu, raw = net_out[:, :n_act], net_out[:, n_act:]
    log_std = torch.clamp(raw, -20.0, 2.0)
    std = log_std.exp()
    u = mu + std * noise
    tanh = TanhTransform()
    a = tanh(u)
    logp = (Normal(mu, std).log_prob(u) - tanh.log_abs_det_jacobian(u, a)).sum(dim=1, keepdim=True)
    return a, logp, torch.tanh(mu)


def head_case(w, name, batch, n_act, extremes):
    net_out = torch.cat([randn(batch, n_act, scale=1.5), randn(batch, n_act, scale=1.0) - 0.5], dim=1)
    if extremes:
        net_out[0, n_act + 0] = 3.0      # clipped above: no gradient
        net_out[1, n_act + 1] = -25.0    # clipped below: no gradient
        net_out[2, n_act + 2] = 2.0      # on the bound: gradient passes (torch.clamp is inclusive)
        net_out[3, n_act + 0] = -20.0
        net_out[4, 0] = 12.0             # saturated tanh: 1 - tanh^2 underflows in float32
        net_out[4, 1] = -15.0
    net_out.requires_grad_()
    noise = randn(batch, n_act)
    a, logp, mean_a = squash(net_out, noise, n_act)
    da = randn(batch, n_act)
    dlogp = randn(batch, 1)
    ((a * da).sum() + (logp * dlogp).sum()).backward()
    for k, v in [("netout", net_out), ("noise", noise), ("action", a), ("logp", logp), ("mean_action", mean_a),
                 ("daction", da), ("dlogp", dlogp), ("dnetout", net_out.grad)]:
        w.add(f"{name}.{k}", v)


def fixture_head(out):
    w = Writer("tanh-Gaussian head: netout = [mu | raw log std]; log std clipped to [-20, 2]; a = tanh(mu + std*noise); "
               "logp = Normal(mu, std).log_prob(u) - TanhTransform.log_abs_det_jacobian(u, a), summed; "
               "dnetout is the gradient of sum(a*daction) + sum(logp*dlogp)")
    head_case(w, "small", 5, 3, True)
    head_case(w, "paper", 256, 12, False)
    w.write(os.path.join(out, "tanh_gaussian.bin"))


def fixture_mse(out):
    w = Writer("MSE mean((p - y)^2)")
    p = randn(256, 1).requires_grad_()
    y = randn(256, 1)
    loss = F.mse_loss(p, y)
    loss.backward()
    for k, v in [("prediction", p), ("target", y), ("loss", loss.reshape(1)), ("dprediction", p.grad)]:
        w.add(k, v)
    w.write(os.path.join(out, "mse.bin"))


class Mlp(torch.nn.Module):
    """Linear -> [Dropout (given masks)] -> [LayerNorm] -> ReLU blocks, then Linear; names as trot.nn.Mlp."""

    def __init__(self, n_in, hidden, n_out, rate, layer_norm):
        super().__init__()
        self.rate, self.layer_norm = rate, layer_norm
        sizes = [n_in] + hidden
        self.fcs = torch.nn.ModuleList(torch.nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(hidden)))
        self.out = torch.nn.Linear(sizes[-1], n_out)
        self.lns = torch.nn.ModuleList(torch.nn.LayerNorm(h) for h in hidden) if layer_norm else None
        for lin in list(self.fcs) + [self.out]:
            torch.nn.init.xavier_uniform_(lin.weight)
            torch.nn.init.zeros_(lin.bias)
            f32(lin.weight)
        if layer_norm:  # perturb the LayerNorm parameters away from (1, 0) so that their use is tested
            with torch.no_grad():
                for ln in self.lns:
                    ln.weight.copy_(uniform(0.8, 1.2, ln.weight.numel()))
                    ln.bias.copy_(randn(ln.bias.numel(), scale=0.05))

    def forward(self, x, keeps):
        h = x
        for i, fc in enumerate(self.fcs):
            h = fc(h)
            if self.rate > 0:
                h = h * keeps[i] / (1.0 - self.rate)
            if self.layer_norm:
                h = self.lns[i](h)
            h = F.relu(h)
        return self.out(h)

    def named(self):
        """(trot name, tensor) pairs in trot.nn.Mlp's parameter order."""
        out = []
        for i, fc in enumerate(self.fcs):
            out += [(f"fc{i}.weight", fc.weight), (f"fc{i}.bias", fc.bias)]
            if self.layer_norm:
                out += [(f"ln{i}.gain", self.lns[i].weight), (f"ln{i}.bias", self.lns[i].bias)]
        n = len(self.fcs)
        out += [(f"fc{n}.weight", self.out.weight), (f"fc{n}.bias", self.out.bias)]
        return out


def critic_case(w, name, rate, layer_norm):
    batch, hidden = 256, [256, 256]
    net = Mlp(60, hidden, 1, rate, layer_norm)
    keeps = [keep_mask(rate, batch, h) for h in hidden] if rate > 0 else []
    x = randn(batch, 60).requires_grad_()
    y = net(x, keeps)
    dy = randn(batch, 1)
    (y * dy).sum().backward()
    for k, p in net.named():
        w.add(f"{name}.{k}", p)
        w.add(f"{name}.grad.{k}", p.grad)
    for i, keep in enumerate(keeps):
        w.add(f"{name}.keep{i}", keep.to(torch.uint8))
    for k, v in [("x", x), ("y", y), ("dy", dy), ("dx", x.grad)]:
        w.add(f"{name}.{k}", v)


def fixture_critic(out):
    w = Writer("critic MLPs 60 -> 256 -> 256 -> 1 at batch 256: droq (dropout 0.01 with given keep masks, LayerNorm) "
               "and plain (Linear -> ReLU); gradients of sum(y*dy)")
    critic_case(w, "droq", 0.01, True)
    critic_case(w, "plain", 0.0, False)
    w.write(os.path.join(out, "critic.bin"))


def fixture_actor(out):
    w = Writer("actor MLP 48 -> 256 -> 256 -> 24 (ReLU) with the tanh-Gaussian head (12 actions) at batch 256; "
               "gradients of sum(a*daction) + sum(logp*dlogp); obs1/mean_action1 test a batch-1 instance")
    batch, n_act = 256, 12
    net = Mlp(48, [256, 256], 2 * n_act, 0.0, False)
    obs = randn(batch, 48)
    noise = randn(batch, n_act)
    a, logp, mean_a = squash(net(obs, []), noise, n_act)
    da = randn(batch, n_act)
    dlogp = randn(batch, 1)
    ((a * da).sum() + (logp * dlogp).sum()).backward()
    for k, p in net.named():
        w.add(k, p)
        w.add(f"grad.{k}", p.grad)
    obs1 = randn(1, 48)
    _, _, mean_a1 = squash(net(obs1, []), torch.zeros(1, n_act), n_act)
    for k, v in [("obs", obs), ("noise", noise), ("action", a), ("logp", logp), ("mean_action", mean_a),
                 ("daction", da), ("dlogp", dlogp), ("obs1", obs1), ("mean_action1", mean_a1)]:
        w.add(k, v)
    w.write(os.path.join(out, "actor.bin"))


def adam_case(w, name, lr, betas, eps, steps=5):
    p0 = randn(64, 60, scale=0.1).requires_grad_()
    p1 = randn(64, scale=0.1).requires_grad_()
    opt = torch.optim.Adam([p0, p1], lr=lr, betas=betas, eps=eps)
    w.add(f"{name}.hyper", torch.tensor([lr, betas[0], betas[1], eps]))
    w.add(f"{name}.init.p0", p0)
    w.add(f"{name}.init.p1", p1)
    for t in range(1, steps + 1):
        g0 = randn(64, 60, scale=10.0 ** (t - 3))  # gradient scales from 0.01 to 100
        g1 = randn(64)
        g0[0, :5] = 0.0                            # exact zeros: Adam must move only by momentum
        p0.grad, p1.grad = g0.clone(), g1.clone()
        opt.step()
        w.add(f"{name}.grad{t}.p0", g0)
        w.add(f"{name}.grad{t}.p1", g1)
        w.add(f"{name}.value{t}.p0", p0)
        w.add(f"{name}.value{t}.p1", p1)


def fixture_adam(out):
    w = Writer("torch.optim.Adam, 5 steps with given gradients; hyper = [lr, beta1, beta2, eps]")
    adam_case(w, "default", 3e-4, (0.9, 0.999), 1e-8)
    adam_case(w, "custom", 1e-2, (0.5, 0.9), 1e-6)
    w.write(os.path.join(out, "adam.bin"))


def fixture_polyak(out):
    w = Writer("Polyak averaging target = (1 - tau) * target + tau * source")
    tau = 0.005
    target, source = randn(256, 60), randn(256, 60)
    result = (1.0 - tau) * target + tau * source
    for k, v in [("tau", torch.tensor([tau])), ("target", target), ("source", source), ("result", result)]:
        w.add(k, v)
    w.write(os.path.join(out, "polyak.bin"))


def fixture_critic_train(out):
    w = Writer("three critic updates (droq critic, MSE to a given target, Adam lr 3e-4), each with its own batch "
               "and dropout masks: loss<t> and the parameters after<t>")
    rate, steps, batch = 0.01, 3, 256
    net = Mlp(60, [256, 256], 1, rate, True)
    for k, p in net.named():
        w.add(f"init.{k}", p)
    opt = torch.optim.Adam(net.parameters(), lr=3e-4)
    for t in range(1, steps + 1):
        x, target = randn(batch, 60), randn(batch, 1)
        keeps = [keep_mask(rate, batch, 256) for _ in range(2)]
        opt.zero_grad()
        loss = F.mse_loss(net(x, keeps), target)
        loss.backward()
        opt.step()
        w.add(f"x{t}", x)
        w.add(f"target{t}", target)
        w.add(f"keep{t}.0", keeps[0].to(torch.uint8))
        w.add(f"keep{t}.1", keeps[1].to(torch.uint8))
        w.add(f"loss{t}", loss.reshape(1))
        for k, p in net.named():
            w.add(f"after{t}.{k}", p)
    w.write(os.path.join(out, "critic_train.bin"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "test",
                                                              "resources", "fixtures")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)  # torch.nn.init draws from the global generator: seed it, or every run differs
    for make in [fixture_linear, fixture_relu, fixture_layernorm, fixture_dropout, fixture_head, fixture_mse,
                 fixture_critic, fixture_actor, fixture_adam, fixture_polyak, fixture_critic_train]:
        make(out)


if __name__ == "__main__":
    main()
