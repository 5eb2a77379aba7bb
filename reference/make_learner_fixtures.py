#!/usr/bin/python3
"""Writes the learner fixtures: PyTorch's answer for complete environment-step updates of trot's SAC-family learner.

Three fixtures, one per preset, each holding T = 3 consecutive environment-step updates from one initial state:

    src/test/resources/fixtures/learner_sac.bin    N = 2,  M = 2, G = 1,  no dropout, no LayerNorm
    src/test/resources/fixtures/learner_redq.bin   N = 10, M = 2, G = 20, no dropout, no LayerNorm
    src/test/resources/fixtures/learner_droq.bin   N = 2,  M = 2, G = 20, dropout (given keep masks) + LayerNorm

Regenerate (Debian's python3-torch imports only with Debian's interpreter):

    /usr/bin/python3 reference/make_learner_fixtures.py [output directory, default src/test/resources/fixtures]

The file format, the Writer, the tanh-Gaussian head `squash` and the `Mlp` (Linear -> [Dropout with a given keep
mask] -> [LayerNorm] -> ReLU blocks, then Linear; trot parameter names) are imported from make_fixtures.py. As
there, everything is computed in float64 by PyTorch's own modules, autograd and torch.optim.Adam, from
float32-representable inputs and initial values, and stored as float32. The configuration scalars (gamma, tau,
learning rates, dropout rate, temperature) are also rounded to float32 before use, so cfg.* holds exactly the values
the reference used.

Networks (sizes: obs 5, A = 2 action dims, hidden [16, 16], batch B = 8):
  actor     pi:  obs -> 16 -> 16 -> 2A, Linear -> ReLU blocks, then Linear. Output [mu | raw log std] (A columns
                 each); log std = clamp(raw, -20, 2); std = exp(log std); u = mu + std * eps (eps given);
                 a = tanh(u); log pi = sum over action dims of Normal(mu, std).log_prob(u)
                 - TanhTransform.log_abs_det_jacobian(u, a), shape (B, 1).
  critic i  Q_i: cat([obs, action], dim=1) -> 16 -> 16 -> 1; each hidden block is
                 Linear -> [h * keep / (1 - rate), keep given] -> [LayerNorm, eps 1e-5] -> ReLU
                 (dropout and LayerNorm only in droq). i = 0..N-1; target copies Qbar_i start equal to Q_i.
  temperature    alpha = exp(log_alpha), log_alpha0 = log(initial temperature) rounded to float32.
  Initialisation: Xavier-uniform weights, W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (xavier_uniform_'s
  bound, drawn from the fixture's seeded generator: xavier_uniform_ itself uses the global generator, which this
  torch build seeds differently in every process); biases 0; LayerNorm gain 1, bias 0.
  Optimisers: torch.optim.Adam(betas (0.9, 0.999), eps 1e-8), one per critic (lr_critic), one for the actor
  (lr_actor), one for log_alpha (lr_temp).

One environment-step update t (t = 1..T), in this order:

  for k = 1..G:                                   critic update k, on its own mini-batch (s, a, r, s', mask)
    (1) a', log pi' = actor sample on s' with noise eps_next                       [no gradient]
    (2) y = r + gamma * mask * (min_{i in S_k} Qbar_i(s', a') - alpha * log pi')  [no gradient]
            S_k = the M given in-target indices; target critics with their own given keep masks (dropout
            active); alpha = exp(log_alpha), the value left by the previous temperature step
    (3) for every i = 0..N-1:  L_i = mean_b (Q_i(s, a) - y)^2    (Q_i with its own given keep masks)
            gradient of L_i into critic i only; Adam step of critic i
    (4) for every i and every parameter (LayerNorm's included):  Qbar_i <- (1 - tau) * Qbar_i + tau * Q_i
  then once, on the LAST mini-batch's s (k = G):
    (5) a~, log pi = actor sample on s with noise eps_actor (reparameterised)
    (6) actor_loss = mean_b (alpha * log pi - mean_{i = 0..N-1} Q_i(s, a~))
            alpha detached; the critics use fresh given keep masks; their parameters are frozen
            (requires_grad False), so the gradient reaches only the actor (asserted); Adam step of the actor
    (7) entropy = -mean_b log pi (log pi from (5), detached)
    (8) alpha_loss = exp(log_alpha) * (entropy - target_entropy); gradient into log_alpha only; Adam step
    (9) alpha = exp(log_alpha) after the step (stored as t<t>.alpha)

Dropout keep masks are drawn (and named) per network and layer: in critic update k first the in-target critics in
S_k's order, then the online critics 0..N-1; then the online critics for the actor loss. Keep ~ Bernoulli(1 - rate).

Overrides for the fixture (the presets' own values differ), so that every term moves above float32 rounding in
three updates and small networks still drop units:
  * lr_actor = lr_critic = lr_temp = 1e-2 (presets: 3e-4); tau = 0.05 (presets: 0.005).
  * droq: dropout rate 0.1 (preset: 0.01, which would drop about 1.3 of the 128 units of a (8, 16) mask). The
    Java test overrides the rate the same way; cfg.* holds the values used here.

Random inputs, all from one torch.Generator per fixture (seed in the metadata), rounded to float32, drawn in this
order for each critic update: obs ~ N(0,1) (B, obs), action ~ U(-0.99, 0.99) (B, A), reward ~ N(0,1) (B, 1),
next_obs ~ N(0,1), mask = 0 with probability 1/4 else 1 (B, 1), noise_next ~ N(0,1) (B, A), subset =
randperm(N)[:M], then the keep masks; per environment step after the G critic updates: the actor-loss keep masks,
then the actor noise ~ N(0,1) (B, A). The initial parameters are drawn first (actor, then critics 0..N-1).

Tensor names (t, k 1-based; i, j 0-based): cfg.*; init.actor.<p>, init.critic<i>.<p>, init.log_alpha;
t<t>.k<k>.{obs, action, reward, next_obs, mask, noise_next, subset, y, critic_loss<i>},
t<t>.k<k>.target<i>.keep<j> (i in the subset), t<t>.k<k>.critic<i>.keep<j>, t<t>.actor.critic<i>.keep<j>
(keep masks: see below); t<t>.k<G>.critic<i>.grad.<p> and t<t>.actor.grad.<p>: the gradients of the last critic
update and of the actor update, before their Adam steps (Adam's near scale-invariance would hide a wrongly scaled
gradient from the parameters alone, e.g. a sum over critics where the mean belongs)
(keep masks uint8 (B, hidden_j), droq only); t<t>.actor.noise, t<t>.actor.logp, t<t>.actor_loss, t<t>.entropy,
t<t>.alpha_loss, t<t>.alpha; after<t>.actor.<p>, after<t>.critic<i>.<p>, after<t>.target<i>.<p>,
after<t>.log_alpha. Losses and logp are the values before the step they drive. <p> is a trot parameter name:
fc<n>.weight (PyTorch (out, in) layout), fc<n>.bias, ln<n>.gain, ln<n>.bias; the output layer is fc2.

Self-checks before writing: shapes and finiteness of every tensor; the target critics after each environment step
equal the closed-form Polyak recursion over the stored critic iterates; the actor and temperature steps leave
every critic (and target) parameter bit-for-bit unchanged and put no gradient on any critic; the temperature loss
puts no gradient on the actor and its gradient is alpha * (entropy - target_entropy).
"""
import copy
import math
import os
import re
import sys

import torch
import torch.nn.functional as F

import make_fixtures as mf  # sets the default dtype to float64
from make_fixtures import Mlp, Writer, squash

OBS, ACT, HIDDEN, BATCH, STEPS = 5, 2, [16, 16], 8, 3
GAMMA = 0.99
LR, TAU = 1e-2, 0.05                   # overrides; the presets use 3e-4 and 0.005
PRESET_LR, PRESET_TAU = 3e-4, 0.005
TERMINAL_P = 0.25
PRESETS = {
    #        N   M  G   dropout (fixture, preset)  LayerNorm  init temp  target entropy  seed
    "sac":  (2, 2, 1, 0.0, 0.0, False, 1.0, -ACT, mf.SEED + 1),
    "redq": (10, 2, 20, 0.0, 0.0, False, 1.0, -ACT / 2, mf.SEED + 2),
    "droq": (2, 2, 20, 0.1, 0.01, True, 0.1, -ACT / 2, mf.SEED + 3),
}


def f32s(x):
    """A Python float rounded to the nearest float32 (as a Python float)."""
    return float(torch.tensor(x, dtype=torch.float32))


class Draw:
    """Every random value of one fixture, from one seeded generator, rounded to float32."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)

    def randn(self, *shape):
        return torch.randn(*shape, generator=self.gen, dtype=torch.float32).to(torch.float64)

    def uniform(self, lo, hi, *shape):
        return (torch.rand(*shape, generator=self.gen, dtype=torch.float32) * (hi - lo) + lo).to(torch.float64)

    def terminal_mask(self, *shape):
        return (torch.rand(*shape, generator=self.gen, dtype=torch.float32) >= TERMINAL_P).to(torch.float64)

    def keep(self, rate, *shape):
        return (torch.rand(*shape, generator=self.gen, dtype=torch.float32) >= rate).to(torch.float64)

    def subset(self, n, m):
        return torch.randperm(n, generator=self.gen)[:m]

    def init(self, net):
        """Xavier-uniform weights (xavier_uniform_'s bound, this generator), zero biases, LayerNorm (1, 0)."""
        with torch.no_grad():
            for lin in list(net.fcs) + [net.out]:
                fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(lin.weight)
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                lin.weight.uniform_(-bound, bound, generator=self.gen)
                mf.f32(lin.weight)
                lin.bias.zero_()
            if net.layer_norm:
                for ln in net.lns:
                    ln.weight.fill_(1.0)
                    ln.bias.zero_()
        return net


def cfg_round(x):
    return float(f"{x:.6g}")


def snapshot(net):
    return [p.detach().clone() for p in net.parameters()]


def run_preset(name, out):
    n, m, g, rate, preset_rate, layer_norm, init_temp, target_entropy, seed = PRESETS[name]
    gamma, tau, lr = f32s(GAMMA), f32s(TAU), f32s(LR)
    rate = f32s(rate)
    target_entropy = f32s(target_entropy)
    rnd = Draw(seed)

    notes = (f"trot learner, preset {name}: {STEPS} environment-step updates, each G={g} critic updates (own "
             f"mini-batch, target y = r + gamma*mask*(min over the M={m} given in-target critics of Qbar(s',a') - "
             f"alpha*logp'), per-critic MSE, Adam, Polyak of all N={n} targets after every critic update) then one "
             f"actor update (mean over all N critics, alpha detached) and one temperature update (alpha*(entropy - "
             f"target_entropy) on log_alpha, logp detached) on the last mini-batch. obs {OBS}, A {ACT}, hidden "
             f"{HIDDEN}, batch {BATCH}. Adam betas (0.9, 0.999), eps 1e-8. OVERRIDES for visibility in 3 updates: lr "
             f"{LR} for actor, critics and temperature (preset {PRESET_LR}), tau {TAU} (preset {PRESET_TAU})")
    if rate > 0:
        notes += (f"; dropout rate {cfg_round(rate)} (preset {preset_rate}: too few drops at B={BATCH}, 16 units), "
                  f"keep masks given")
    notes += ". Equations: reference/make_learner_fixtures.py docstring."
    w = Writer(notes, generator="reference/make_learner_fixtures.py", seed=seed)

    cfg = [("obs", OBS), ("act", ACT), ("N", n), ("M", m), ("G", g), ("B", BATCH), ("hidden0", HIDDEN[0]),
           ("hidden1", HIDDEN[1]), ("dropout", rate), ("layernorm", 1 if layer_norm else 0), ("gamma", gamma),
           ("tau", tau), ("lr_actor", lr), ("lr_critic", lr), ("lr_temp", lr), ("init_temperature", f32s(init_temp)),
           ("target_entropy", target_entropy), ("T", STEPS)]
    for k, v in cfg:
        w.add(f"cfg.{k}", torch.tensor([float(v)]))

    # networks
    actor = rnd.init(Mlp(OBS, HIDDEN, 2 * ACT, 0.0, False))
    critics = [rnd.init(Mlp(OBS + ACT, HIDDEN, 1, rate, layer_norm)) for _ in range(n)]
    targets = [copy.deepcopy(c).requires_grad_(False) for c in critics]
    log_alpha = torch.tensor([math.log(init_temp)]).requires_grad_()
    mf.f32(log_alpha)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    opt_critic = [torch.optim.Adam(c.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8) for c in critics]
    opt_temp = torch.optim.Adam([log_alpha], lr=lr, betas=(0.9, 0.999), eps=1e-8)

    for k, p in actor.named():
        w.add(f"init.actor.{k}", p)
    for i, c in enumerate(critics):
        for k, p in c.named():
            w.add(f"init.critic{i}.{k}", p)
    w.add("init.log_alpha", log_alpha)

    def keeps(prefix):
        """The keep masks of one network's forward pass, stored under prefix.keep<j>; [] without dropout."""
        if rate == 0:
            return []
        ks = [rnd.keep(rate, BATCH, h) for h in HIDDEN]
        for j, kp in enumerate(ks):
            w.add(f"{prefix}.keep{j}", kp.to(torch.uint8))
        return ks

    def q(net, s, a, ks):
        return net(torch.cat([s, a], dim=1), ks)

    # For the Polyak self-check: every critic iterate, in order.
    history = [[snapshot(c)] for c in critics]
    init_params = [snapshot(c) for c in critics]

    for t in range(1, STEPS + 1):
        for k in range(1, g + 1):
            pre = f"t{t}.k{k}"
            s, a, r = rnd.randn(BATCH, OBS), rnd.uniform(-0.99, 0.99, BATCH, ACT), rnd.randn(BATCH, 1)
            s2, mask, noise_next = rnd.randn(BATCH, OBS), rnd.terminal_mask(BATCH, 1), rnd.randn(BATCH, ACT)
            subset = rnd.subset(n, m)
            for key, v in [("obs", s), ("action", a), ("reward", r), ("next_obs", s2), ("mask", mask),
                           ("noise_next", noise_next), ("subset", subset.to(torch.float64))]:
                w.add(f"{pre}.{key}", v)
            target_keeps = {int(i): keeps(f"{pre}.target{int(i)}") for i in subset}
            critic_keeps = [keeps(f"{pre}.critic{i}") for i in range(n)]

            # (1), (2) the target, without gradient
            with torch.no_grad():
                a2, logp2, _ = squash(actor(s2, []), noise_next, ACT)
                qmin = torch.stack([q(targets[int(i)], s2, a2, target_keeps[int(i)]) for i in subset]).min(dim=0).values
                alpha = log_alpha.exp()
                y = r + gamma * mask * (qmin - alpha * logp2)
            assert y.shape == (BATCH, 1) and not y.requires_grad
            w.add(f"{pre}.y", y)

            # (3) each critic: its own MSE, gradient, Adam step
            for i in range(n):
                opt_critic[i].zero_grad(set_to_none=True)
                loss = F.mse_loss(q(critics[i], s, a, critic_keeps[i]), y)
                loss.backward()
                if k == g:  # the gradient of the last critic update, before its Adam step
                    for pname, prm in critics[i].named():
                        w.add(f"{pre}.critic{i}.grad.{pname}", prm.grad)
                opt_critic[i].step()
                w.add(f"{pre}.critic_loss{i}", loss.reshape(1))
                history[i].append(snapshot(critics[i]))

            # (4) Polyak, every target, every parameter
            with torch.no_grad():
                for c, tc in zip(critics, targets):
                    for p, tp in zip(c.parameters(), tc.parameters()):
                        tp.copy_((1.0 - tau) * tp + tau * p)

        # (5), (6) the actor, on the last mini-batch's observations; critics frozen
        actor_critic_keeps = [keeps(f"t{t}.actor.critic{i}") for i in range(n)]
        noise = rnd.randn(BATCH, ACT)
        w.add(f"t{t}.actor.noise", noise)
        before = [snapshot(c) for c in critics + targets]
        for c in critics:
            c.requires_grad_(False)
            c.zero_grad(set_to_none=True)
        opt_actor.zero_grad(set_to_none=True)
        opt_temp.zero_grad(set_to_none=True)
        alpha = log_alpha.detach().exp()
        a_new, logp, _ = squash(actor(s, []), noise, ACT)
        qmean = torch.stack([q(critics[i], s, a_new, actor_critic_keeps[i]) for i in range(n)]).mean(dim=0)
        actor_loss = (alpha * logp - qmean).mean()
        actor_loss.backward()
        assert all(p.grad is None for c in critics + targets for p in c.parameters()), "actor loss leaked into a critic"
        assert log_alpha.grad is None, "actor loss leaked into log_alpha"
        assert all(p.grad is not None for p in actor.parameters())
        for pname, prm in actor.named():  # the actor gradient, before its Adam step
            w.add(f"t{t}.actor.grad.{pname}", prm.grad)
        opt_actor.step()
        for c in critics:
            c.requires_grad_(True)

        # (7), (8), (9) the temperature, with the actor's log-probs detached
        entropy = -logp.detach().mean()
        actor_grads = [p.grad.clone() for p in actor.parameters()]
        alpha_loss = log_alpha.exp() * (entropy - target_entropy)
        alpha_loss.backward()
        expected = log_alpha.detach().exp() * (entropy - target_entropy)
        assert torch.allclose(log_alpha.grad, expected, rtol=1e-14, atol=0), "temperature gradient"
        assert all(torch.equal(p.grad, gr) for p, gr in zip(actor.parameters(), actor_grads)), \
            "temperature loss reached the actor"
        opt_temp.step()
        after = [snapshot(c) for c in critics + targets]
        assert all(torch.equal(x, z) for b, aa in zip(before, after) for x, z in zip(b, aa)), \
            "the actor or temperature step moved a critic"

        w.add(f"t{t}.actor.logp", logp)
        w.add(f"t{t}.actor_loss", actor_loss.reshape(1))
        w.add(f"t{t}.entropy", entropy.reshape(1))
        w.add(f"t{t}.alpha_loss", alpha_loss.reshape(1))
        w.add(f"t{t}.alpha", log_alpha.exp())

        # Polyak self-check: Qbar after n critic updates = (1-tau)^n Q_0 + sum_j tau (1-tau)^(n-j) Q_j
        updates = t * g
        for i in range(n):
            for pi, (tp, p0) in enumerate(zip(targets[i].parameters(), init_params[i])):
                ref = (1.0 - tau) ** updates * p0
                for j in range(1, updates + 1):
                    ref = ref + tau * (1.0 - tau) ** (updates - j) * history[i][j][pi]
                assert torch.allclose(tp, ref, rtol=1e-12, atol=1e-15), f"Polyak recursion, target {i} after {t}"

        for k, p in actor.named():
            w.add(f"after{t}.actor.{k}", p)
        for i in range(n):
            for k, p in critics[i].named():
                w.add(f"after{t}.critic{i}.{k}", p)
            for k, p in targets[i].named():
                w.add(f"after{t}.target{i}.{k}", p)
        w.add(f"after{t}.log_alpha", log_alpha)

    check(w, name, n, m, g, rate)
    w.write(os.path.join(out, f"learner_{name}.bin"))


def check(w, name, n, m, g, rate):
    """Every tensor finite, with the shape its name implies."""
    hidden_of = {f"keep{j}": h for j, h in enumerate(HIDDEN)}
    names = [nm for nm, _, _ in w.tensors]
    assert len(names) == len(set(names)), "duplicate tensor name"
    for nm, dtype, t in w.tensors:
        assert torch.isfinite(t.to(torch.float64)).all(), f"{name}: {nm} is not finite"
        last = nm.split(".")[-1]
        if last in hidden_of:
            want = (BATCH, hidden_of[last])
            assert dtype == 1 and set(t.unique().tolist()) <= {0, 1}
        elif (nm.startswith("cfg.") or re.fullmatch(r"critic_loss\d+", last)
              or last in ("actor_loss", "entropy", "alpha_loss", "alpha", "log_alpha")):
            want = (1,)
        elif last in ("obs", "next_obs"):
            want = (BATCH, OBS)
        elif last in ("action", "noise_next", "noise"):
            want = (BATCH, ACT)
        elif last in ("reward", "mask", "y", "logp"):
            want = (BATCH, 1)
        elif last == "subset":
            want = (m,)
            idx = t.tolist()
            assert len(set(idx)) == m and all(0 <= v < n and v == int(v) for v in idx)
        else:
            continue  # parameters: checked against the network below
        assert tuple(t.shape) == want, f"{name}: {nm} has shape {tuple(t.shape)}, expected {want}"
    ref = {k: tuple(p.shape) for k, p in Mlp(OBS + ACT, HIDDEN, 1, rate, rate > 0).named()}
    ref_actor = {k: tuple(p.shape) for k, p in Mlp(OBS, HIDDEN, 2 * ACT, 0.0, False).named()}
    prefixes = ["init"] + [f"after{t}" for t in range(1, STEPS + 1)]
    by_name = {nm: t for nm, _, t in w.tensors}
    for pre in prefixes:
        for k, shape in ref_actor.items():
            assert tuple(by_name[f"{pre}.actor.{k}"].shape) == shape
        for i in range(n):
            for k, shape in ref.items():
                assert tuple(by_name[f"{pre}.critic{i}.{k}"].shape) == shape
                if pre != "init":
                    assert tuple(by_name[f"{pre}.target{i}.{k}"].shape) == shape
        assert tuple(by_name[f"{pre}.log_alpha"].shape) == (1,)
    expected_count = (18 + 1 + len(ref_actor) * (1 + STEPS) + n * len(ref) * (1 + 2 * STEPS) + STEPS
                      + STEPS * (g * (8 + n) + 6)
                      + STEPS * (len(ref_actor) + n * len(ref)))     # the gradients before the last Adam steps
    for pre in [f"t{t}.actor.grad" for t in range(1, STEPS + 1)]:
        for k, shape in ref_actor.items():
            assert tuple(by_name[f"{pre}.{k}"].shape) == shape
    for pre in [f"t{t}.k{g}.critic{i}.grad" for t in range(1, STEPS + 1) for i in range(n)]:
        for k, shape in ref.items():
            assert tuple(by_name[f"{pre}.{k}"].shape) == shape
    if rate > 0:
        expected_count += STEPS * len(HIDDEN) * (g * (m + n) + n)
    assert len(names) == expected_count, f"{name}: {len(names)} tensors, expected {expected_count}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "src", "test", "resources",
                                                                              "fixtures"))
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for name in PRESETS:
        run_preset(name, out)


if __name__ == "__main__":
    main()
