#!/usr/bin/python3
"""The PyTorch side of bench_train_step: the same three models, the same
step (forward, backward, Adam with lr 1e-3), batch 128 of random pixels in
[0, 1], timed on 1 and on 2 threads; it prints samples/s, the median over
the samples taken.

    bench/pytorch_train_step.py                 1 and 2 threads
    bench/pytorch_train_step.py --threads 1 --samples 9

  vanilla  784-32-784           sigmoid code, sigmoid out, MSE
  deep     784-256-64-256-784   ReLU inside, BCE on logits
  vae      784-400-(20, 20)-400-784, ReLU, Bernoulli decoder, -ELBO

The losses are bench_train_step's (nn/losses.hpp): summed over an image's
pixels, averaged over the batch, written with PyTorch's fused loss
functions. Each model is timed with Adam's per-parameter loop and with its
multi-tensor (foreach) form, and with torch.compile where this PyTorch has
it (--compile); the best is printed, as PyTorch at its best on this CPU is
the fair comparison. As in bench_train_step, one-thread rows are CPU time
and two-thread rows wall-clock time: keep the machine otherwise idle.

Needs PyTorch (Debian: apt-get install python3-torch libopenblas0; without
OpenBLAS, Debian's PyTorch multiplies with the reference BLAS, and the
script says so); nothing else in the project does.
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

# glibc gives large freed blocks back to the kernel and takes them again
# on the next step, a page fault per 4 KiB, which in a virtual machine
# costs PyTorch more than its arithmetic (every step allocates its
# activations afresh). Keeping freed memory is PyTorch's best setting
# here; glibc reads these at start-up, so the script restarts itself once.
KEEP_FREED_MEMORY = {"MALLOC_MMAP_THRESHOLD_": "2000000000",
                     "MALLOC_TRIM_THRESHOLD_": "2000000000",
                     "MALLOC_TOP_PAD_": "268435456"}
if any(os.environ.get(k) != v for k, v in KEEP_FREED_MEMORY.items()):
    os.environ.update(KEEP_FREED_MEMORY)
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch  # noqa: E402 (after the restart above)
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

BATCH = 128


class Vanilla(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc, self.dec = nn.Linear(784, 32), nn.Linear(32, 784)

    def forward(self, x):
        xh = torch.sigmoid(self.dec(torch.sigmoid(self.enc(x))))
        return F.mse_loss(xh, x, reduction="sum") / x.shape[0]  # fused: faster than (xh - x) ** 2


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.e1, self.e2 = nn.Linear(784, 256), nn.Linear(256, 64)
        self.d1, self.d2 = nn.Linear(64, 256), nn.Linear(256, 784)

    def forward(self, x):
        h = F.relu(self.e2(F.relu(self.e1(x))))
        logits = self.d2(F.relu(self.d1(h)))
        return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 400)
        self.to_mu, self.to_logvar = nn.Linear(400, 20), nn.Linear(400, 20)
        self.dec_hidden, self.dec_out = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.hidden(x))
        mu, logvar = self.to_mu(h), self.to_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # z = μ + σ ⊙ ε
        logits = self.dec_out(F.relu(self.dec_hidden(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum()
        return (rec + kl) / x.shape[0]


MODELS = {"vanilla_784_32": Vanilla, "deep_784_256_64": Deep, "vae_784_400_20": Vae}


def samples_per_s(make, foreach, compiled, samples, seconds, clock):
    """Median samples/s over `samples` timings of about `seconds` each."""
    torch.manual_seed(1)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=foreach)
    loss_of = torch.compile(model) if compiled else model
    x = torch.rand(BATCH, 784)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_of(x).backward()
        opt.step()

    for _ in range(20):  # warm-up: allocations, compilation
        step()
    start, steps = clock(), 0
    while clock() - start < seconds / 4:  # how many steps fill a timing
        step()
        steps += 1
    steps = max(1, int(steps * seconds / (clock() - start)))
    rates = []
    for _ in range(samples):
        t0 = clock()
        for _ in range(steps):
            step()
        rates.append(steps * BATCH / (clock() - t0))
    return statistics.median(rates)


def blas_in_use():
    """The BLAS library PyTorch's products run on, read from this process's
    memory map after one product: Debian's reference BLAS is many times
    slower than OpenBLAS (apt-get install libopenblas0)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return ", ".join(sorted(libs)) or "none found (MKL?)"


def set_threads(n):
    """PyTorch's own thread count, and OpenBLAS's, which Debian's build does
    not pass on: otherwise the products of a 1-thread run use every core."""
    torch.set_num_threads(n)
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "libopenblas" in line}
    for lib in libs:
        ctypes.CDLL(lib).openblas_set_num_threads(n)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--samples", type=int, default=5, help="timings per setting")
    p.add_argument("--seconds", type=float, default=0.3, help="length of a timing")
    p.add_argument("--compile", action="store_true", help="also try torch.compile")
    args = p.parse_args()

    compile_ok = args.compile and hasattr(torch, "compile")
    if args.compile and not compile_ok:
        print(f"torch.compile: not in PyTorch {torch.__version__}; timed without it")
    print(f"BLAS: {blas_in_use()}")
    print(f"PyTorch {torch.__version__}, batch {BATCH}, samples/s "
          f"(median of {args.samples}), best of the settings tried")
    for threads in args.threads:
        set_threads(threads)
        # As bench_train_step: CPU time on one thread (what the step costs,
        # whatever else runs), the wall clock on more.
        clock = time.process_time if threads == 1 else time.perf_counter
        for name, make in MODELS.items():
            best = (0.0, "")
            for foreach in (False, True):
                for compiled in (False, True) if compile_ok else (False,):
                    rate = samples_per_s(make, foreach, compiled, args.samples, args.seconds, clock)
                    how = ("foreach" if foreach else "for-loop") + (", compiled" if compiled else "")
                    best = max(best, (rate, how))
            print(f"  {name:16s} threads:{threads}  {best[0]:9.0f} samples/s  (Adam {best[1]})")


if __name__ == "__main__":
    main()
