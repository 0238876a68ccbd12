#!/usr/bin/env python3
"""PyTorch peers of Kiln's generative experiments (issue 6): the VAE's test negative ELBO, the GANs' steps/s.

Dev-time only (Debian's python3-torch 1.13, /usr/bin/python3); never a build or CI dependency.

    /usr/bin/python3 tools/bench/torch_generative_bench.py [vae] [gan] [dcgan] --threads 2 \
        [--epochs 10] [--steps 300] [--warmup 20] [--seed 42]

Each net mirrors its spec and Kiln's trainer (keep them in step):

* `vae` (experiments/fashion-vae.yaml, VaeTrainer + Elbo): encoder 784-400-40 (ReLU; μ then log σ²), decoder
  20-400-784 logits; pixels in [0, 1], all 60,000 training images shuffled per epoch, partial last batch kept,
  batch 128, Adam 1e-3. The step loss is Elbo.java's −ELBO per image: one reparameterised sample
  z = μ + exp(½ log σ²)·ε for the reconstruction term, sum-reduced BCE-with-logits / N, plus the closed-form
  KL(q(z|x) ‖ N(0, I)) / N. After `--epochs` epochs: `test_neg_elbo`, `test_reconstruction_nll`, `test_kl` in nats
  per image over the 10,000 test images (batches of 128, one ε per image), as VaeTrainer.test.
* `gan` (fashion-gan.yaml) and `dcgan` (fashion-dcgan.yaml), GanTrainer + GanSteps: pixels normalised to [-1, 1],
  batch 64, Adam 2e-4 (β1 0.5) for each net, BCE-with-logits (mean). One step = one iteration: k (= 1)
  discriminator updates (fresh z, G(z) detached, D(x) and D(G(z)) as two forward passes, so batch norm sees real
  and fake batches separately) and one generator update with the non-saturating loss BCE(D(G(z)), 1) on a fresh z.
  Timed over `--steps` steps after `--warmup` untimed ones.

Layers use PyTorch's default initialisation, which is Kiln's (U(±1/√fan_in) weights and biases; batch norm γ 1,
β 0, eps 1e-5, momentum 0.1); Adam's defaults are Kiln's too (β2 0.999, eps 1e-8).

`train_steps_per_second` is timed as Kiln's Recorder does: the time between consecutive steps of one epoch (so
each epoch's first step, and per-epoch work, are left out), each step including its batch gather. One JSON object
per line on stdout, with the field names of a Kiln run's summary.json; progress goes to stderr.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, 28, 28)


def images(split, limit=None):
    """(N, 1, 28, 28) float32 in [0, 1], as Kiln's fashion-mnist dataset."""
    x = idx_images(os.path.join(DATA, f"{split}-images-idx3-ubyte.gz"))
    if limit:
        x = x[:limit]
    return torch.from_numpy(x.astype(np.float32) / 255.0)


def batches(n, batch, generator):
    """One epoch's shuffled index batches, the partial last batch kept (Kiln's BatchLoader defaults)."""
    perm = torch.randperm(n, generator=generator)
    return [perm[i:i + batch] for i in range(0, n, batch)]


class StepClock:
    """Kiln's Recorder.step timing: sums the gaps between consecutive steps of the same epoch."""

    def __init__(self):
        self.seconds, self.steps, self.examples = 0.0, 0, 0
        self.last, self.epoch = None, None

    def step(self, epoch, examples):
        now = time.perf_counter()
        if self.last is not None and epoch == self.epoch:
            self.seconds += now - self.last
            self.steps += 1
            self.examples += examples
        self.last, self.epoch = now, epoch

    def fields(self):
        return {"train_steps_per_second": round(self.steps / self.seconds, 2) if self.seconds else 0.0,
                "train_images_per_second": round(self.examples / self.seconds, 1) if self.seconds else 0.0,
                "timed_steps": self.steps, "timed_seconds": round(self.seconds, 3)}


def common(args, name, batch):
    return {"name": name, "backend": "torch", "torch_version": torch.__version__, "threads": args.threads,
            "batch_size": batch, "seed": args.seed, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}


# ---- VAE (fashion-vae.yaml) ---------------------------------------------------------------------------------------

LATENT = 20


def neg_elbo(encoder, decoder, x, eps):
    """Elbo.of: (−ELBO, reconstruction, KL), each per image; x (N, 784) in [0, 1]."""
    n = x.shape[0]
    encoded = encoder(x)
    mu, log_var = encoded[:, :LATENT], encoded[:, LATENT:]
    z = mu + torch.exp(0.5 * log_var) * eps
    reconstruction = F.binary_cross_entropy_with_logits(decoder(z), x, reduction="sum") / n
    kl = -0.5 * torch.sum(1 + log_var - mu * mu - torch.exp(log_var)) / n
    return reconstruction + kl, reconstruction, kl


def vae(args):
    batch = 128
    start = time.perf_counter()
    train = images("train", args.examples).reshape(-1, 784)
    test = images("t10k").reshape(-1, 784)
    encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 2 * LATENT))
    decoder = nn.Sequential(nn.Linear(LATENT, 400), nn.ReLU(), nn.Linear(400, 784))
    opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
    shuffle = torch.Generator().manual_seed(args.seed)
    clock = StepClock()
    step = 0
    for epoch in range(args.epochs):
        encoder.train()
        decoder.train()
        sums = np.zeros(3)
        epoch_batches = batches(len(train), batch, shuffle)
        for idx in epoch_batches:
            x = train[idx]
            loss, rec, kl = neg_elbo(encoder, decoder, x, torch.randn(len(idx), LATENT))
            value = loss.item()
            if not np.isfinite(value):
                raise SystemExit(f"vae: negative ELBO {value} at step {step + 1}")
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            sums += (value, rec.item(), kl.item())
            clock.step(epoch, len(idx))
        means = sums / len(epoch_batches)
        print(f"vae epoch {epoch + 1}/{args.epochs}: loss {means[0]:.3f} (reconstruction {means[1]:.3f} + KL {means[2]:.3f})"
              f" {clock.fields()['train_steps_per_second']} steps/s so far", file=sys.stderr, flush=True)
    train_seconds = time.perf_counter() - start
    # VaeTrainer.test: the test split in order, batches of batch_size, one ε per image from a seeded generator.
    encoder.eval()
    decoder.eval()
    noise = torch.Generator().manual_seed(args.seed + 15485863)
    rec_sum = kl_sum = 0.0
    with torch.no_grad():
        for i in range(0, len(test), batch):
            x = test[i:i + batch]
            _, rec, kl = neg_elbo(encoder, decoder, x, torch.randn(len(x), LATENT, generator=noise))
            rec_sum += rec.item() * len(x)
            kl_sum += kl.item() * len(x)
    n = len(test)
    out = common(args, "fashion-vae", batch)
    out.update({"epochs": args.epochs, "steps": step, "train_examples": len(train),
                "wall_seconds": round(time.perf_counter() - start, 3), "train_seconds": round(train_seconds, 3)})
    out.update(clock.fields())
    out.update({"test_neg_elbo": round((rec_sum + kl_sum) / n, 4), "test_reconstruction_nll": round(rec_sum / n, 4),
                "test_kl": round(kl_sum / n, 4), "test_images": n,
                "final_loss": round(means[0], 4), "final_reconstruction": round(means[1], 4), "final_kl": round(means[2], 4)})
    return out


# ---- GANs (fashion-gan.yaml, fashion-dcgan.yaml) ------------------------------------------------------------------

Z = 100


def mlp_gan():
    g = nn.Sequential(nn.Linear(Z, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    d = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1))
    return g, d


def dcgan():
    g = nn.Sequential(nn.Linear(Z, 6272, bias=False), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
                      nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                      nn.Conv2d(64, 128, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    return g, d


def gan(args, name, make):
    batch, k = 64, args.k
    start = time.perf_counter()
    train = (images("train", args.examples) - 0.5) / 0.5  # normalize {mean: 0.5, std: 0.5}: [-1, 1]
    g, d = make()
    g.train()
    d.train()
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    shuffle = torch.Generator().manual_seed(args.seed)
    clock = StepClock()
    total = args.warmup + args.steps
    step, epoch = 0, 0
    sums = np.zeros(4)
    while step < total:
        epoch_batches = batches(len(train), batch, shuffle)
        cursor = 0
        while cursor + k <= len(epoch_batches) and step < total:  # GanTrainer: whole iterations of k batches
            d_loss = d_real = d_fake = 0.0
            examples = 0
            for _ in range(k):
                real = train[epoch_batches[cursor]]
                cursor += 1
                n = len(real)
                examples += n
                # GanSteps.discriminatorStep
                fake = g(torch.randn(n, Z)).detach()
                real_logits = d(real)
                fake_logits = d(fake.reshape(real.shape))
                loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                        + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
                value = loss.item()
                opt_d.zero_grad()
                loss.backward()
                opt_d.step()
                d_loss += value / k
                d_real += torch.sigmoid(real_logits.detach()).mean().item() / k
                d_fake += torch.sigmoid(fake_logits.detach()).mean().item() / k
            # GanSteps.generatorStep, non-saturating: descend BCE(D(G(z)), 1); only G's optimizer steps
            logits = d(g(torch.randn(n, Z)).reshape(n, 1, 28, 28))
            loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            g_loss = loss.item()
            opt_g.zero_grad()
            loss.backward()
            opt_g.step()
            step += 1
            if not (np.isfinite(d_loss) and np.isfinite(g_loss)):
                raise SystemExit(f"{name}: non-finite loss at step {step}")
            if step == args.warmup:
                clock = StepClock()  # the timed steps start after the warm-up
            if step > args.warmup:
                sums += (d_loss, g_loss, d_real, d_fake)
            clock.step(epoch, examples)
        epoch += 1
    out = common(args, name, batch)
    out.update({"k": k, "warmup_steps": args.warmup, "steps": step, "epochs_started": epoch,
                "wall_seconds": round(time.perf_counter() - start, 3)})
    out.update(clock.fields())
    means = sums / max(1, args.steps)
    out.update({"mean_d_loss": round(means[0], 4), "mean_g_loss": round(means[1], 4), "mean_d_real": round(means[2], 4),
                "mean_d_fake": round(means[3], 4)})
    print(f"{name}: {out['train_steps_per_second']} steps/s over {out['timed_steps']} steps", file=sys.stderr, flush=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nets", nargs="*", default=["vae", "gan", "dcgan"], choices=["vae", "gan", "dcgan"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--epochs", type=int, default=10, help="vae: training epochs (default 10, as fashion-vae.yaml)")
    ap.add_argument("--steps", type=int, default=300, help="gan/dcgan: timed steps (default 300)")
    ap.add_argument("--warmup", type=int, default=20, help="gan/dcgan: untimed steps first (default 20)")
    ap.add_argument("--k", type=int, default=1, help="gan/dcgan: discriminator updates per step (default 1, as the specs)")
    ap.add_argument("--examples", type=int, default=None, help="use only the first N training images (smoke tests)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    for net in args.nets:
        load = os.getloadavg()[0]
        out = vae(args) if net == "vae" else gan(args, "fashion-gan", mlp_gan) if net == "gan" else gan(args, "fashion-dcgan", dcgan)
        out["loadavg_1min_before"] = round(load, 2)
        out["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
