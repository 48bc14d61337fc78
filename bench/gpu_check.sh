#!/usr/bin/env bash
# The --device cuda path, end to end, on a machine with a GPU (CI has none). Writes to ${OUT:-/tmp}.
# Usage: bash bench/gpu_check.sh     (needs python3 with torch + rich + numpy; Textual is not needed)
set -u
out=${OUT:-/tmp/hw7-gpu}; mkdir -p "$out"
export PYTHONPATH=$PWD HW7_TUI_DATA_DIR=$(mktemp -d) PYTHONUNBUFFERED=1
py=${PYTHON:-python3}
$py -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
run() {  # name, then the hw7-tui arguments
  local name=$1; shift
  local t0=$(date +%s%N)
  $py -m tui.cli "$@" > "$out/$name.json" 2> "$out/$name.err"; local rc=$?
  local t1=$(date +%s%N)
  printf "%-16s rc=%s  %s ms  " "$name" "$rc" "$(( (t1 - t0) / 1000000 ))"
  $py - "$out/$name.json" <<'PY'
import json, sys
try:
    o = json.load(open(sys.argv[1]))
except Exception as e:
    print("no JSON:", e); sys.exit()
q = o.get("quality", {})
if "learned" in q:
    print(f"device={o.get('device')} status={o.get('status')} train={o.get('train_seconds'):.2f}s "
          f"W1 learned sto/det {q['learned']['stochastic']['w1']:.3f}/{q['learned']['deterministic']['w1']:.3f} "
          f"exact {q['exact']['stochastic']['w1']:.3f}/{q['exact']['deterministic']['w1']:.3f}")
else:
    print(f"device={o.get('device')} train={o.get('train_seconds')} quality={json.dumps(q)[:160]}")
PY
  tail -2 "$out/$name.err"
}
run p3-cpu   p3 --json
run p3-cuda  p3 --json --device cuda
run p4-cuda  p4 --json --device cuda --compare
run p5-cpu   p5 --json
run p5-cuda  p5 --json --device cuda
run p5-faithful-cuda p5 --json --device cuda --recipe faithful
$py -m pytest -q -p no:cacheprovider -o addopts="" tests/engine 2>&1 | tail -5
