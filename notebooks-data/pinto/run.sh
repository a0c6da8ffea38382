#!/bin/sh
# Issue 21: PINTO's counterfactual regularizer against the same reasoner without it and against
# the rationalizer alone. For seeds 1-3: a rationalizer trained on addition at 1-3 digits (2000
# steps, 100 held-out problems per difficulty), then `safetykit pinto` with its defaults (500
# rationalized training problems per difficulty, 600 steps per reasoner, masking 40% of a
# rationale's tokens, weight 1), in distribution on the rationalizer's held-out problems and out
# of distribution at 4 digits. Resumable: finished rationalizers and seeds are kept.
# Run from the repository root: notebooks-data/pinto/run.sh
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/pinto}
N=notebooks-data/pinto
mkdir -p "$R"
for seed in 1 2 3; do
  m=$R/rationalizer-$seed.ckpt
  [ -f $m ] || $S train --task addition --digits 1-3 --steps 2000 --eval-problems 100 --seed $seed --out $m --quiet > /dev/null
  [ -f $R/seed-$seed/pinto.csv ] || $S pinto --rationalizer $m --seed $seed --out $R/seed-$seed --quiet > $R/seed-$seed.txt
done
python3 $N/tabulate.py $R > $N/pinto.md
