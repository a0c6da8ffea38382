#!/usr/bin/env python3
"""Side-by-side benchmark of calibration metrics: `safetykit calibrate` against a numpy +
scikit-learn script (the peer a researcher would otherwise write).

1. Metrics on 10,000,000 (confidence, correct) pairs: ECE (15 equal-width bins), MCE, RMSCE,
   Brier, NLL and AUROC. safetykit reports its own read and compute times; the peer's arrays are
   already in memory, so the comparison is compute against compute.
2. A percentile bootstrap with 1,000 resamples at n = 100,000, whole process for safetykit (--interval percentile,
   the peer's method; the default BCa adds a jackknife of 200 groups).

Usage: python3 benchmarks/calibration.py [--safetykit PATH] [--write-results]
"""
import argparse, json, os, re, subprocess, tempfile, time
import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score
from results import write_section


def peer_metrics(c, o, bins=15):
    """calibration.md's conventions in numpy: bins [k/B, (k+1)/B), the last closed."""
    idx = np.minimum((c * bins).astype(np.int64), bins - 1)
    counts = np.bincount(idx, minlength=bins)
    conf = np.bincount(idx, weights=c, minlength=bins)
    acc = np.bincount(idx, weights=o, minlength=bins)
    nonempty = counts > 0
    gap = np.abs(acc[nonempty] / counts[nonempty] - conf[nonempty] / counts[nonempty])
    w = counts[nonempty] / c.size
    clipped = np.clip(c, 1e-12, 1 - 1e-12)
    return {
        "ece": float((w * gap).sum()), "mce": float(gap.max()), "rmsce": float(np.sqrt((w * gap ** 2).sum())),
        "brier": float(((c - o) ** 2).mean()),
        "nll": float(-(o * np.log(clipped) + (1 - o) * np.log1p(-clipped)).mean()),
        "auroc": float(roc_auc_score(o, c)),
    }


def dataset(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.random(n)
    return np.sqrt(x), (rng.random(n) < x).astype(np.float64)


def write_csv(path, c, o):
    with open(path, "w") as f:
        f.write("confidence,correct\n")
        np.savetxt(f, np.column_stack([c, o.astype(np.int8)]), fmt=["%.17g", "%d"], delimiter=",")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--safetykit", default=".build/release/safetykit")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    version = subprocess.run([args.safetykit, "--version"], capture_output=True, text=True).stdout.strip()
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as d:
        n = 10_000_000
        c, o = dataset(n, 1)
        path = os.path.join(d, "big.csv")
        write_csv(path, c, o)
        best = None
        for _ in range(3):
            r = subprocess.run([args.safetykit, "calibrate", path, "--bootstrap", "0", "--format", "json"], capture_output=True, text=True, check=True)
            read, compute = map(float, re.search(r"read in ([0-9.]+) s, metrics in ([0-9.]+) s", r.stderr).groups())
            if best is None or compute < best[1]:
                best = (read, compute, json.loads(r.stdout))
        read, compute, ours = best
        peer_times = []
        for _ in range(3):
            t = time.perf_counter(); theirs = peer_metrics(c, o); peer_times.append(time.perf_counter() - t)
        peer = min(peer_times)
        diff = max(abs(ours[k] - theirs[k]) for k in theirs)
        print(f"10M pairs: safetykit metrics {compute:.3f} s (read {read:.2f} s); numpy+sklearn {peer:.3f} s; max |difference| {diff:.1e}")
        rows.append(("metrics, 10,000,000 pairs (compute only; arrays in memory for the peer)", compute, peer, diff))
        notes.append(f"safetykit read the 10,000,000-row CSV ({os.path.getsize(path) / 1e6:.0f} MB) in {read:.2f} s before computing.")

        n = 100_000
        c, o = dataset(n, 2)
        path = os.path.join(d, "small.csv")
        write_csv(path, c, o)
        t = time.perf_counter()
        r = subprocess.run([args.safetykit, "calibrate", path, "--bootstrap", "1000", "--interval", "percentile", "--format", "json", "--seed", "1"], capture_output=True, text=True, check=True)
        ours_boot = time.perf_counter() - t
        ours = json.loads(r.stdout)
        rng = np.random.default_rng(1)
        t = time.perf_counter()
        eces = []
        for _ in range(1000):
            idx = rng.integers(0, n, n)
            eces.append(peer_metrics(c[idx], o[idx])["ece"])
        peer_boot = time.perf_counter() - t
        lo, hi = np.percentile(eces, [2.5, 97.5])
        diff = max(abs(ours["ece_ci"][0] - lo), abs(ours["ece_ci"][1] - hi))
        print(f"bootstrap 1000 x 100k: safetykit {ours_boot:.2f} s (whole process), numpy+sklearn {peer_boot:.2f} s; ECE interval "
              f"{ours['ece_ci']} vs [{lo:.5f}, {hi:.5f}]")
        rows.append(("bootstrap, 1,000 resamples of 100,000 pairs (whole process for safetykit)", ours_boot, peer_boot, diff))
        notes.append("The bootstrap intervals differ by sampling noise only (different random streams): the difference column "
                     "there is the largest gap between the two 95% ECE intervals' ends.")

    table = ["| task | safetykit | numpy + scikit-learn | ratio | max abs difference |", "|---|---|---|---|---|"]
    for name, ours_t, peer_t, diff in rows:
        table.append(f"| {name} | {ours_t:.3f} s | {peer_t:.3f} s | {peer_t / ours_t:.1f}x | {diff:.1e} |")
    print("\n".join(table))
    if args.write_results:
        write_section("Calibration metrics", [
            f"Measured {time.strftime('%Y-%m-%d')} by `benchmarks/run calibration` ({os.cpu_count()} cores); {version}; "
            f"numpy {np.__version__}, scikit-learn {sklearn.__version__}. ECE over 15 equal-width bins; AUROC by "
            "`sklearn.metrics.roc_auc_score` in the peer. Best of 3 for the metrics.",
            "",
        ] + table + [""] + [f"- {note}" for note in notes] + [""])

if __name__ == "__main__":
    main()
