#!/usr/bin/env bash
# Copies the default judge run's tables and charts here and joins the all-difficulty rows of every
# variant into variants.csv. Run from the repository root after the runs named below exist
# (the commands are in README.md).
set -euo pipefail
out=notebooks-data/judge
mkdir -p "$out/default/plots"
for f in config.json selfrationalize.json metrics.csv pairing.csv preference.csv calibration.csv calibration_summary.csv timing.csv; do
  cp "runs/judge-big/$f" "$out/default/$f"
done
cp runs/judge-big/plots/*.svg "$out/default/plots/"
header=$(head -1 runs/judge-big/metrics.csv)
echo "variant,$header" > "$out/variants.csv"
while IFS='|' read -r name run; do
  awk -F, -v name="$name" 'NR > 1 && $2 == "all" { print name "," $0 }' "runs/$run/metrics.csv" >> "$out/variants.csv"
done <<'RUNS'
default: 1000 seed problems per difficulty and 4000 SFT steps at 1e-3; rpo at 2e-5 with gold pairing|judge-big
default SFT; majority pairing (no labels)|judge-big-majority2e5
default SFT; rpo at 1e-4|judge-big-lr1e4
default SFT; majority pairing at 1e-4|judge-big-majority
default SFT; plain dpo at 1e-4|judge-big-dpo
small SFT: 250 seed problems per difficulty and 1500 steps at 5e-4; rpo at 1e-4|judge-rpo
small SFT; plain dpo at 1e-4|judge
small SFT; plain dpo at 2e-5|judge-lr2e5
small SFT started from STaR iteration 3|judge-star
RUNS
