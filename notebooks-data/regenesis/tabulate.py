#!/usr/bin/env python3
"""Tables of ReGenesis against STaR, in and out of domain, from the eval JSON files of run.sh.

Each file is RUNS/eval/METHOD-SEED-ITERATION-TASK.json, written by `safetykit eval --format json`.
Cells are means over seeds with 95% Student-t intervals (two-sided, n - 1 degrees of freedom);
accuracies are per cent of the 100 problems per difficulty at 1-3 digits. Standard library only.
"""
import json, math, os, statistics, sys

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
IN_DOMAIN = "addition"
OUT_OF_DOMAIN = ["subtraction", "multiplication", "modchain", "wordproblem"]

def load(directory):
    acc = {}
    for name in os.listdir(directory):
        if not name.endswith(".json"):
            continue
        method, seed, iteration, task = name[:-5].split("-")
        with open(os.path.join(directory, name)) as f:
            acc[(method, int(seed), int(iteration), task)] = 100 * json.load(f)["accuracy"]
    return acc

def summary(values, low, high, sign=""):
    """Mean and 95% t-interval, the interval clipped to [low, high], the range the quantity can take."""
    m = statistics.mean(values)
    if len(values) < 2:
        return f"{m:{sign}.1f}"
    h = T975[len(values) - 1] * statistics.stdev(values) / math.sqrt(len(values))
    return f"{m:{sign}.1f} [{max(low, m - h):{sign}.1f}, {min(high, m + h):{sign}.1f}]"

def interval(values):
    """An accuracy in per cent."""
    return summary(values, 0, 100)

def change(values):
    """A change of accuracies, in points."""
    return summary(values, -100, 100, "+")

def main(directory):
    acc = load(directory)
    methods = sorted({k[0] for k in acc})
    last = {m: max(k[2] for k in acc if k[0] == m) for m in methods}
    def complete(method, seed):
        return all((method, seed, n, t) in acc for n in range(last[method] + 1) for t in [IN_DOMAIN] + OUT_OF_DOMAIN)
    seeds = [s for s in sorted({k[1] for k in acc}) if all(complete(m, s) for m in methods)]
    print(f"Seeds with every evaluation: {', '.join(map(str, seeds))} (n = {len(seeds)}); "
          + "; ".join(f"{m}'s last iteration is {last[m]}" for m in methods) + ".\n")
    print("| method | task | base % | after the last iteration % | change (points) |")
    print("|---|---|---|---|---|")
    def ood(method, seed, n):
        return statistics.mean(acc[(method, seed, n, t)] for t in OUT_OF_DOMAIN)
    for method in methods:
        n = last[method]
        for task in [IN_DOMAIN] + OUT_OF_DOMAIN + ["out of domain (mean of 4)"]:
            get = (lambda s, i: ood(method, s, i)) if task.startswith("out") else (lambda s, i: acc[(method, s, i, task)])
            print(f"| {method} | {task} | {interval([get(s, 0) for s in seeds])} | {interval([get(s, n) for s in seeds])} | "
                  + f"{change([get(s, n) - get(s, 0) for s in seeds])} |")
    print("\nPer iteration, mean over the seeds (%):\n")
    print("| method | task | " + " | ".join(f"it. {i}" for i in range(max(last.values()) + 1)) + " |")
    print("|---|---|" + "---|" * (max(last.values()) + 1))
    for method in methods:
        for task in [IN_DOMAIN, "out of domain"]:
            cells = []
            for i in range(max(last.values()) + 1):
                if i > last[method]:
                    cells.append("")
                    continue
                values = [ood(method, s, i) if task == "out of domain" else acc[(method, s, i, task)] for s in seeds]
                cells.append(f"{statistics.mean(values):.1f}")
            print(f"| {method} | {task} | " + " | ".join(cells) + " |")
    if set(methods) == {"star", "regenesis"}:
        a, b = "star", "regenesis"
        print(f"\nPaired by seed, {b} minus {a}, each from the shared base to its last iteration (points):\n")
        print(f"- in domain ({IN_DOMAIN}): " + change([(acc[(b, s, last[b], IN_DOMAIN)] - acc[(b, s, 0, IN_DOMAIN)])
                                                     - (acc[(a, s, last[a], IN_DOMAIN)] - acc[(a, s, 0, IN_DOMAIN)]) for s in seeds]))
        print("- out of domain (mean of 4): " + change([(ood(b, s, last[b]) - ood(b, s, 0)) - (ood(a, s, last[a]) - ood(a, s, 0)) for s in seeds]))

if __name__ == "__main__":
    main(sys.argv[1])
