#!/usr/bin/env python3
"""Independent reference values for the off-switch game, computed with mpmath at 30 digits.

Writes Tests/GamesTests/Fixtures/offswitch_reference.csv: for points spread over the accuracy
domain of issue 2 (mu in [-5, 5], sigma in [0.01, 10], beta in [0, 100], with beta/sigma from
1e-4 to 1e4 so that every quadrature regime is exercised), and a few uniform beliefs, the values
of E[pi U], delta and P(allow) for a Boltzmann human (beta = 0: rational). The Swift tests check
safetykit against this file; nothing in it comes from safetykit's own code.

Usage: python3 benchmarks/reference/make_offswitch_reference.py   (takes about a minute)
"""
import csv, os, random
import mpmath as mp

mp.mp.dps = 30
random.seed(20261129)


def sigmoid(t):
    return 1 / (1 + mp.e ** (-t))


def expectations(density, lo, hi, beta, breaks):
    pts = sorted(set([lo, hi] + [b for b in breaks if lo < b < hi]))
    if beta == 0:
        wait = mp.quad(lambda u: u * density(u), [max(lo, 0)] + [p for p in pts if p > max(lo, 0)]) if hi > 0 else mp.mpf(0)
        over = mp.quad(lambda u: u * density(u), [p for p in pts if p < min(hi, 0)] + [min(hi, 0)]) if lo < 0 else mp.mpf(0)
        allow = mp.quad(density, [max(lo, 0)] + [p for p in pts if p > max(lo, 0)]) if hi > 0 else mp.mpf(0)
        return wait, over, allow
    beta = mp.mpf(beta)
    wait = mp.quad(lambda u: u * sigmoid(u / beta) * density(u), pts)
    over = mp.quad(lambda u: u * sigmoid(-u / beta) * density(u), pts)
    allow = mp.quad(lambda u: sigmoid(u / beta) * density(u), pts)
    return wait, over, allow


def gaussian_row(mu, sigma, beta):
    m, s = mp.mpf(mu), mp.mpf(sigma)
    density = lambda u: mp.npdf(u, m, s)
    b = mp.mpf(beta)
    breaks = [0, m] + ([x * b for x in (-30, -10, -3, -1, 1, 3, 10, 30)] if beta > 0 else [])
    wait, over, allow = expectations(density, m - 40 * s, m + 40 * s, beta, breaks)
    delta = -over if mu >= 0 else wait
    return ["gaussian", repr(mu), repr(sigma), "", "", repr(beta), repr(float(wait)), repr(float(delta)), repr(float(allow))]


def uniform_row(lo, hi, beta):
    density = lambda u: 1 / (mp.mpf(hi) - mp.mpf(lo))
    b = mp.mpf(beta)
    breaks = [0] + ([x * b for x in (-30, -10, -3, -1, 1, 3, 10, 30)] if beta > 0 else [])
    wait, over, allow = expectations(density, mp.mpf(lo), mp.mpf(hi), beta, breaks)
    mean = (lo + hi) / 2
    delta = -over if mean >= 0 else wait
    return ["uniform", "", "", repr(lo), repr(hi), repr(beta), repr(float(wait)), repr(float(delta)), repr(float(allow))]


rows = []
for _ in range(260):
    mu = round(random.uniform(-5, 5), 6)
    sigma = round(10 ** random.uniform(-2, 1), 6)
    ratio = 10 ** random.uniform(-4, 4)
    beta = min(100.0, round(sigma * ratio, 8))
    rows.append(gaussian_row(mu, sigma, beta))
# The edges of the domain and the spec's sample table.
for mu in (-5.0, 0.0, 5.0):
    for sigma in (0.01, 10.0):
        for beta in (0.0, 1e-4, 100.0):
            rows.append(gaussian_row(mu, sigma, beta))
for mu, sigma, beta in [(0.0, 1.0, 0.0), (0.5, 1.0, 0.1), (0.5, 1.0, 1.0), (-0.5, 0.5, 1.0), (2.0, 3.0, 1.0)]:
    rows.append(gaussian_row(mu, sigma, beta))
for _ in range(30):
    lo = round(random.uniform(-5, 4), 4)
    hi = round(lo + 10 ** random.uniform(-1.5, 1), 4)
    beta = round(10 ** random.uniform(-3, 2), 6)
    rows.append(uniform_row(lo, hi, beta))

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "GamesTests", "Fixtures", "offswitch_reference.csv")
with open(path, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["prior", "mu", "sigma", "lo", "hi", "beta", "eu_wait", "delta", "p_allow"])
    w.writerows(rows)
print(f"wrote {len(rows)} rows to {os.path.normpath(path)}")
