#!/usr/bin/env python3
"""Writes two-models.csv: calibration.md's dataset A twice, as two models that got the same
1,000 answers right and wrong but stated different confidences.

- model "sqrt" states c = sqrt(x): the published, overconfident dataset A;
- model "identity" states c = x, which is calibrated by construction (o = 1 when u < x).

Usage: python3 notebooks-data/calibration/make_examples.py
"""
import csv, math, os

rows = []
for model in ("sqrt", "identity"):
    for i in range(1000):
        x = ((i * 7919) % 1000 + 0.5) / 1000
        u = ((i * 104729) % 997 + 0.5) / 997
        c = math.sqrt(x) if model == "sqrt" else x
        rows.append([model, i, repr(c), 1 if u < x else 0])
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "two-models.csv")
with open(path, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["model", "id", "confidence", "correct"])
    w.writerows(rows)
print(f"wrote {len(rows)} rows to {path}")
