#!/bin/sh
# Behavioural deference: from each seed's base (notebooks-data/rl-calibration/run.sh trains them), a
# base that states its confidence and the off-switch game's decision for it (Boltzmann human,
# beta 0.5, wrong answers cost 1), then RLOO with three rewards: binary (the task), game (the
# game's utility of the decision) and success (a right answer delivered, minus 0.05 for waiting).
# Resumable. Run from the repository root.
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/rl-calibration}
seeds=${SEEDS:-"1 2 3 4 5"}
for seed in $seeds; do
  [ -f $R/base-$seed.ckpt ] || $S train --digits 1-3 --steps 1500 --seed $seed --out $R/base-$seed.ckpt --quiet
  [ -f $R/decides-$seed.ckpt ] || $S confidence --model $R/base-$seed.ckpt --out $R/decides-$seed.ckpt --stated decision --seed $seed --quiet > $R/decides-$seed.out
  for reward in binary game success; do
    d=$R/rloo-$reward-decides-$seed
    $S selfimprove --method rloo --reward $reward --base $R/decides-$seed.ckpt --digits 1-3 --iterations 3 --pool 200 --heldout 100 \
       --validation 20 --prompts 64 --track-calibration --offswitch-probe --probe-source verbalized --seed $seed --out $d --quiet \
       $([ -f $d/config.json ] && echo --resume)
  done
done
arms=""
for reward in binary game success; do
  dirs=""; for seed in $seeds; do dirs="$dirs${dirs:+,}$R/rloo-$reward-decides-$seed"; done
  arms="$arms rloo-$reward=$dirs"
done
$S aggregate $arms --out notebooks-data/behavioural-deference --quiet > notebooks-data/behavioural-deference/summary.txt
