#!/bin/sh
# Issue 18's second reproduction: policy gradient from a base that states its confidence.
# For each seed: a base (SFT), its stated-confidence base ('safetykit confidence', the default
# recipe), then four arms from it in two settings: "matched" (learning rate 2e-5 with the k3 KL
# penalty at DeepSeekMath's 0.04, which keeps accuracy) and "lr1e-4" (the loops' defaults: 1e-4
# and no KL, under which accuracy falls). Resumable: finished steps are skipped.
# Run from the repository root: notebooks-data/rl-calibration/run.sh
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/rl-calibration}
mkdir -p "$R"
for seed in 1 2 3 4 5; do
  [ -f $R/base-$seed.ckpt ] || $S train --digits 1-3 --steps 1500 --seed $seed --out $R/base-$seed.ckpt --quiet
  [ -f $R/stated2-$seed.ckpt ] || $S confidence --model $R/base-$seed.ckpt --out $R/stated2-$seed.ckpt --seed $seed --quiet > $R/stated2-$seed.out
  for setting in "matched 0.00002 0.04" "lr1e-4 0.0001 0"; do
    set -- $setting
    for arm in grpo:binary drgrpo:binary rloo:binary grpo:rlcr; do
      m=${arm%%:*}; r=${arm##*:}; d=$R/v2/$1/$m-$r-$seed
      $S selfimprove --method $m --reward $r --base $R/stated2-$seed.ckpt --digits 1-3 --iterations 3 --pool 200 --heldout 100 \
         --validation 20 --prompts 64 --rl-lr $2 --kl-coef $3 --track-calibration --offswitch-probe --probe-source verbalized \
         --seed $seed --out $d --quiet $([ -f $d/config.json ] && echo --resume)
    done
  done
done
arms=""
for setting in matched lr1e-4; do
  for a in grpo-binary drgrpo-binary rloo-binary grpo-rlcr; do
    name=$a; [ $setting = matched ] || name=$a@$setting
    arms="$arms $name=$R/v2/$setting/$a-1,$R/v2/$setting/$a-2,$R/v2/$setting/$a-3,$R/v2/$setting/$a-4,$R/v2/$setting/$a-5"
  done
done
$S aggregate $arms --out notebooks-data/rl-calibration --quiet > notebooks-data/rl-calibration/summary.txt
