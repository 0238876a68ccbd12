#!/usr/bin/env python3
"""Training throughput of the experiments' networks in PyTorch, for side-by-side comparison with Kiln.

Dev-time only (Debian's python3-torch 1.13). Trains each net for one epoch over the real Fashion-MNIST
training images (54,000 after a 10% validation split, as the Kiln specs do), same batch size, Adam 1e-3,
cross-entropy, and prints one JSON line per net with images/s over the epoch (data already in memory,
as Kiln's loader prefetches it). Compare with `train_images_per_second` in a Kiln run's summary.json.

    /usr/bin/python3 tools/bench/torch_train_bench.py --threads 2 [--nets mlp,lenet,cnn]
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, 28, 28)


def idx_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def nets():
    return {
        "fashion-mlp": (64, lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                                                  nn.ReLU(), nn.Linear(128, 10))),
        "fashion-lenet": (64, lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                                    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                                    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                                    nn.Linear(84, 10))),
        "fashion-cnn": (64, lambda: nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                                                  nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                                                  nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Dropout(0.5),
                                                  nn.Linear(128, 10))),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--nets", default="fashion-mlp,fashion-lenet,fashion-cnn")
    ap.add_argument("--examples", type=int, default=54000)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    x = torch.from_numpy(idx_images(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[: args.examples].astype(np.float32))
    x = (x / 255.0 - 0.2860) / 0.3530
    y = torch.from_numpy(idx_labels(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[: args.examples].astype(np.int64))
    for name in args.nets.split(","):
        batch, make = nets()[name]
        model = make()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        perm = torch.randperm(len(x))
        model.train()
        start = time.perf_counter()
        seen = 0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            seen += len(idx)
        wall = time.perf_counter() - start
        print(json.dumps({"net": name, "backend": "torch", "torch_version": torch.__version__, "threads": args.threads,
                          "batch_size": batch, "images": seen, "wall_seconds": round(wall, 3),
                          "train_images_per_second": round(seen / wall, 1),
                          "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}), flush=True)


if __name__ == "__main__":
    main()
