#!/usr/bin/env bash
# The corrigibility study on a SLURM cluster: one array task per shard, then one merge job.
#
#   scripts/slurm-study.sh [N]          submits N shard tasks (default 10) and a merge that waits for them
#
# Edit OPTIONS to the study you want; every task and the merge must use the same ones. RUNS must be
# on a file system every node sees (the shards share its cached base models). Each task runs
# 'safetykit study corrigibility OPTIONS --shard K/N'; a killed task resumes where it stopped when
# resubmitted. The merge writes OUT, byte for byte what one unsharded study would write.
set -euo pipefail
N=${1:-10}
OPTIONS=${OPTIONS:-"--methods star,rft,bstar,lmsi,grpo,drgrpo,rloo --seeds 10"}
RUNS=${RUNS:-$PWD/runs/corrigibility}
OUT=${OUT:-$PWD/notebooks-data/corrigibility}
SAFETYKIT=${SAFETYKIT:-$PWD/.build/release/safetykit}
shards=$(sbatch --parsable --array=1-"$N" --cpus-per-task=2 --time=12:00:00 --job-name=safetykit-study \
    --wrap "$SAFETYKIT study corrigibility $OPTIONS --runs $RUNS --out $OUT --shard \${SLURM_ARRAY_TASK_ID}/$N --threads 2 --quiet")
sbatch --dependency=afterok:"$shards" --cpus-per-task=1 --time=01:00:00 --job-name=safetykit-merge \
    --wrap "$SAFETYKIT study corrigibility $OPTIONS --runs $RUNS --out $OUT --merge --quiet"
echo "submitted $N shards (job $shards) and their merge"
