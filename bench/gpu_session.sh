#!/usr/bin/env bash
# One GPU session, end to end, in under ~9 minutes on one H200 (16 CPU cores):
#   (a) generate a training set (seed 0) and a held-out set with another seed (7);
#   (b) train the proposed and the baseline model (fast encoder, all 24 views, time-capped,
#       both at once on the one GPU) and the paper-13 preset with the r2n2 encoder (time-capped);
#   (c) evaluate both demo models on every object of the held-out set (+ the baseline given the
#       prior of the class the proposed model predicts, as a user of the app gets it);
#   (d) evaluate the paper-13 run's best.pt on its val and test splits (matches its val curve?);
#   (e) train img/s per encoder × precision (fp32, TF32, bf16, channels-last, torch.compile).
# Prints a compact summary. Needs torch (CUDA build), numpy, pillow, scipy; no Qt, pyvista, trimesh.
#
#   OUT=/path/to/empty bash bench/gpu_session.sh                       # the real session
#   OUT=/tmp/o DEVICE=cpu OBJECTS=6 HELDOUT=1 MINUTES=0.15 PAPER_MINUTES=0.05 BENCH_STEPS=3 BATCH=8 WORKERS=2 \
#       BENCH_ENCODERS=fast BENCH_BUDGET=1 COMPILE=0 WIDTH=0.25 BUDGET_S=900 bash bench/gpu_session.sh   # CPU dry run
#   (so few objects leave the paper13 run's val split empty: its val evaluation then fails, as it should)
#
# $OUT receives at most 8 files (what a device session can bring back): session.log,
# summary.json, runs.tar.gz (configs, metrics, eval and bench JSONs, per-step logs) and
# checkpoints/{proposed,baseline}.pt (fp16 weights, ready to ship). Data and run folders stay
# in $WORK (default /tmp/recon_gpu_session).
set -euo pipefail

: "${OUT:?set OUT to an empty folder for the results}"
PY=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
OBJECTS=${OBJECTS:-150}            # training set, objects per class (seed 0)
HELDOUT=${HELDOUT:-30}             # held-out set, objects per class (seed 7)
MINUTES=${MINUTES:-3.25}           # time cap of each demo model (both train at once)
PAPER_MINUTES=${PAPER_MINUTES:-2}  # time cap of the paper-13 r2n2 run (trains alongside)
BATCH=${BATCH:-64}
LR=${LR:-1e-3}
SCHEDULE=${SCHEDULE:-cosine}
WARMUP=${WARMUP:-300}
AMP=${AMP:-0}                      # fast encoder: TF32 beat bf16 on an H200 (7.6k vs 5.1k img/s)
WORKERS=${WORKERS:-$(nproc)}
WIDTH=${WIDTH:-1.0}                # fast encoder width (1.0 ships; smaller only for dry runs)
BENCH=${BENCH:-1}
BENCH_STEPS=${BENCH_STEPS:-20}
BENCH_BUDGET=${BENCH_BUDGET:-3}
BENCH_ENCODERS=${BENCH_ENCODERS:-fast,r2n2}
COMPILE=${COMPILE:-1}
WORK=${WORK:-/tmp/recon_gpu_session}
BUDGET_S=${BUDGET_S:-540}          # whole session; the optional bench steps shrink to fit it

export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
mkdir -p "$OUT" "$OUT/checkpoints" "$WORK"
LOG="$OUT/session.log"
exec > >(tee -a "$LOG") 2>&1
D="$WORK/data"
R="$WORK/runs"
E="$WORK/eval"
mkdir -p "$R" "$E" "$WORK/logs"
T0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
FAILED=()

stamp "gpu_session: device=$DEVICE objects=$OBJECTS heldout=$HELDOUT minutes=$MINUTES paper_minutes=$PAPER_MINUTES batch=$BATCH workers=$WORKERS"
df -h /dev/shm 2>/dev/null | tail -1 | sed 's/^/shm: /' || true
$PY - <<'EOF' || true
import platform, torch
print("python", platform.python_version(), "torch", torch.__version__, "cuda", torch.version.cuda,
      "gpu", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")
EOF

# ---------------------------------------------------------------- (a) data
if [ ! -f "$D/train/.done" ]; then
  rm -rf "$D/train"
  $PY -m core.cli synth --out "$D/train" --objects-per-class "$OBJECTS" --seed 0 --workers "$WORKERS" --quiet
  touch "$D/train/.done"
fi
if [ ! -f "$D/heldout/.done" ]; then
  rm -rf "$D/heldout"
  $PY -m core.cli synth --out "$D/heldout" --objects-per-class "$HELDOUT" --seed 7 --workers "$WORKERS" --quiet
  touch "$D/heldout/.done"
fi
stamp "data ready"

# ---------------------------------------------------------------- (b) training, three runs at once
# Shared demo settings: a TOML file (also the record of what was run).
cat > "$WORK/demo.toml" <<EOF
[train]
encoder = "fast"
width_scale = $WIDTH
views = "all"
val_views = 4
batch_size = $BATCH
lr = $LR
lr_schedule = "$SCHEDULE"
warmup_steps = $WARMUP
epochs = 200
split_ratios = [0.9, 0.05, 0.05]
amp = $( [ "$AMP" = 1 ] && echo true || echo false )
time_limit = $MINUTES
tensorboard = false
EOF
W_DEMO=$(( (WORKERS - 5) / 2 )); [ "$W_DEMO" -lt 1 ] && W_DEMO=1   # 16 cores: 5 + 5 + 3 loader workers, 3 trainers
W_PAPER=$(( WORKERS - 2 * W_DEMO - 3 )); [ "$W_PAPER" -lt 1 ] && W_PAPER=1

train_run() {  # name, extra args...
  local name=$1; shift
  local log="$WORK/logs/train_$name.log"
  if $PY -m core.cli train --data "$D/train" --device "$DEVICE" --out "$R/$name" --quiet "$@" >"$log" 2>&1; then
    stamp "trained $name: $(grep -E '^trained' "$log" | tail -1)"
    return 0
  fi
  if grep -qiE "shared memory|shm|DataLoader worker" "$log"; then  # a sandbox without /dev/shm room: load in-process
    stamp "training $name: data loader workers failed; retrying with --workers 0"
    rm -rf "$R/$name"
    if $PY -m core.cli train --data "$D/train" --device "$DEVICE" --out "$R/$name" --quiet "$@" --workers 0 >>"$log" 2>&1; then
      stamp "trained $name (no workers): $(grep -E '^trained' "$log" | tail -1)"
      return 0
    fi
  fi
  stamp "FAILED: training $name; last lines:"; tail -5 "$log"; return 1
}
rm -rf "$R/proposed" "$R/baseline" "$R/paper13"
train_run proposed --config "$WORK/demo.toml" --model proposed --workers "$W_DEMO" & P1=$!
train_run baseline --config "$WORK/demo.toml" --model baseline --workers "$W_DEMO" & P2=$!
train_run paper13 --preset paper-13 --model proposed --time-limit "$PAPER_MINUTES" --workers "$W_PAPER" & P3=$!
wait $P1 || FAILED+=(train-proposed)
wait $P2 || FAILED+=(train-baseline)
wait $P3 || FAILED+=(train-paper13)
stamp "training done"

# ---------------------------------------------------------------- (c, d) evaluation
eval_run() {  # tag, checkpoint, data, split, extra args...
  local tag=$1 ck=$2 data=$3 split=$4; shift 4
  [ -f "$ck" ] || { stamp "skip eval $tag: no $ck"; return 1; }
  if $PY -m core.cli eval -c "$ck" --data "$data" --split "$split" --views all --device "$DEVICE" --batch-size 256 \
       --workers 4 --out "$E/$tag.json" --quiet "$@" >"$WORK/logs/eval_$tag.log" 2>&1; then
    stamp "evaluated $tag"
  else
    stamp "FAILED: eval $tag; last lines:"; tail -5 "$WORK/logs/eval_$tag.log"; return 1
  fi
}
eval_run proposed_heldout "$R/proposed/best.pt" "$D/heldout" all & Q1=$!
eval_run baseline_heldout "$R/baseline/best.pt" "$D/heldout" all & Q2=$!
eval_run paper13_val "$R/paper13/best.pt" "$D/train" val & Q3=$!
eval_run paper13_test "$R/paper13/best.pt" "$D/train" test & Q4=$!
wait $Q1 || FAILED+=(eval-proposed)
wait $Q2 || FAILED+=(eval-baseline)
wait $Q3 || FAILED+=(eval-paper13-val)
wait $Q4 || FAILED+=(eval-paper13-test)
if [ -f "$R/proposed/best.pt" ] && [ -f "$R/baseline/best.pt" ]; then
  $PY bench/session_report.py ablation --proposed "$R/proposed/best.pt" --baseline "$R/baseline/best.pt" --data "$D/heldout" \
      --device "$DEVICE" --out "$E/baseline_predicted_prior_heldout.json" >"$WORK/logs/ablation.log" 2>&1 \
    && stamp "ablation done" || { FAILED+=(ablation); tail -5 "$WORK/logs/ablation.log"; }
fi

# ---------------------------------------------------------------- ship: fp16 weights-only copies
for m in proposed baseline; do
  if [ -f "$R/$m/best.pt" ]; then
    $PY -c "import sys; from core.train.checkpoint import export_checkpoint; export_checkpoint(sys.argv[1], sys.argv[2])" \
      "$R/$m/best.pt" "$OUT/checkpoints/$m.pt" && stamp "exported $m ($(du -k "$OUT/checkpoints/$m.pt" | cut -f1) KB)" || FAILED+=(export-$m)
  fi
done

# ---------------------------------------------------------------- summary and bundle
finish() {
  $PY bench/session_report.py summary --work "$WORK" --out "$OUT/summary.json" >"$WORK/logs/summary.log" 2>&1 || { cat "$WORK/logs/summary.log"; return 1; }
  tar -czf "$OUT/runs.tar.gz" -C "$WORK" demo.toml logs eval bench \
      $(cd "$WORK" && ls runs/*/metrics.jsonl runs/*/config.json runs/*/splits.json 2>/dev/null) || return 1
}
left() { echo $(( BUDGET_S - ( $(date +%s) - T0 ) )); }
mkdir -p "$WORK/bench"
finish || true  # a first copy, in case the session is cut short during the bench

# ---------------------------------------------------------------- (e) throughput
if [ "$BENCH" = 1 ] && [ "$(left)" -gt 60 ]; then
  T_BENCH=$(( $(left) - 30 )); [ "$T_BENCH" -gt 150 ] && T_BENCH=150
  timeout "$T_BENCH" $PY bench/bench_models.py --device "$DEVICE" --batch "$BATCH" --train-steps "$BENCH_STEPS" --budget "$BENCH_BUDGET" \
      --encoders "$BENCH_ENCODERS" --variants fp32,tf32,bf16,tf32+channels_last,bf16+channels_last --out "$WORK/bench/models_device.json" \
    || stamp "bench failed or timed out (partial rows kept)"
  T_COMPILE=$(( $(left) - 25 )); [ "$T_COMPILE" -gt 120 ] && T_COMPILE=120
  if [ "$COMPILE" = 1 ] && [ "$T_COMPILE" -gt 30 ]; then  # optional: compile may be slow or unavailable; never fatal
    timeout "$T_COMPILE" $PY bench/bench_models.py --device "$DEVICE" --batch "$BATCH" --train-steps "$BENCH_STEPS" --budget "$BENCH_BUDGET" \
        --encoders "$BENCH_ENCODERS" --variants tf32+channels_last+compile,bf16+channels_last+compile --out "$WORK/bench/models_device_compile.json" \
      || stamp "compile bench failed or timed out (optional; partial rows kept)"
  fi
  stamp "bench done"
elif [ "$BENCH" = 1 ]; then
  stamp "bench skipped: $(left) s left of BUDGET_S=$BUDGET_S"
fi
finish || FAILED+=(summary)
cat "$WORK/logs/summary.log"
stamp "finished; files in $OUT: $(cd "$OUT" && find . -type f | sort | tr '\n' ' ')"
if [ ${#FAILED[@]} -gt 0 ]; then
  stamp "failed steps: ${FAILED[*]}"
  exit 1
fi
