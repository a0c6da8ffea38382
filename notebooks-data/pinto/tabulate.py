#!/usr/bin/env python3
"""PINTO's table over seeds from the pinto.csv files of run.sh: per model and split, the mean over
seeds with a 95% Student-t interval (n - 1 degrees of freedom), in per cent (ECE and the
confidence drop as they are). Standard library only."""
import csv, math, os, statistics, sys

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
# (column, label, scale, lowest value, highest value)
COLUMNS = [("accuracy", "accuracy %", 100, 0, 100), ("ece", "ECE", 1, 0, 1), ("answer_changed", "answer changed by the perturbation %", 100, 0, 100),
           ("confidence_drop", "confidence drop", 1, -1, 1), ("follows_swap", "follows a swapped rationale %", 100, 0, 100)]

def cell(values, scale, low, high):
    """Mean and t-interval, the interval clipped to [low, high], the range the quantity can take
    (a rate's interval stays within 0-100%)."""
    values = [scale * v for v in values]
    if not values:
        return "-"
    m = statistics.mean(values)
    if len(values) < 2:
        return f"{m:.3g}"
    h = T975[len(values) - 1] * statistics.stdev(values) / math.sqrt(len(values))
    digits = 1 if scale == 100 else 3
    return f"{m:.{digits}f} [{max(low, m - h):.{digits}f}, {min(high, m + h):.{digits}f}]"

def main(directory):
    rows = {}
    seeds = sorted(d for d in os.listdir(directory) if d.startswith("seed-") and os.path.isfile(os.path.join(directory, d, "pinto.csv")))
    for s in seeds:
        with open(os.path.join(directory, s, "pinto.csv")) as f:
            for r in csv.DictReader(f):
                rows.setdefault((r["model"], r["split"]), []).append(r)
    print(f"Seeds: {', '.join(s[5:] for s in seeds)} (n = {len(seeds)}); in = held-out at 1-3 digits, out = 4 digits.\n")
    print("| model | split | " + " | ".join(c[1] for c in COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for (model, split), rs in rows.items():
        cells = [cell([float(r[c]) for r in rs if r[c] != ""], scale, low, high) for c, _, scale, low, high in COLUMNS]
        print(f"| {model} | {split} | " + " | ".join(cells) + " |")
    # Paired by seed: the regularized reasoner minus the plain one.
    print("\nPaired by seed, reasoner minus reasoner-plain:\n")
    for split in ["in", "out"]:
        a, b = rows.get(("reasoner", split), []), rows.get(("reasoner-plain", split), [])
        if len(a) != len(b) or not a:
            continue
        parts = []
        for c, name, scale, low, high in COLUMNS:
            diffs = [float(x[c]) - float(y[c]) for x, y in zip(a, b) if x[c] != "" and y[c] != ""]
            if diffs:
                parts.append(f"{name}: {cell(diffs, scale, low - high, high - low)}")
        print(f"- {split}: " + "; ".join(parts))

if __name__ == "__main__":
    main(sys.argv[1])
