#!/usr/bin/env bash
# Usage: scripts/suite.sh --quick [--out DIR] [--dry-run]
#
# The main job: every instrument briefly, ending in reports/out/latest/index.html.
#   1. JMH benchmarks, quick (scripts/bench.sh --quick)
#   2. jcstress tests, quick, and the negative controls, which must be caught (scripts/stress.sh)
#   3. the report (scripts/report.sh), then reports/out/latest points at this run
# Exit code: 0 when every step passed, 1 otherwise.
set -euo pipefail
source "$(dirname "$0")/common.sh"
dry=0

quick=0; out=''
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --quick) quick=1 ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $quick -eq 1 ]] || die "only --quick exists so far (the nightly run is scripts/nightly.sh, to come)"
if [[ $dry -eq 1 ]]; then
  for step in "bench.sh --quick" "stress.sh --quick" "stress.sh --quick --controls" "report.sh RUN_DIR"; do
    echo "would run: scripts/$step"
  done
  exit 0
fi

ensure_built
[[ -n "$out" ]] || out="$(new_run_dir)"
failed=()
"$LEAKPROOF_ROOT/scripts/bench.sh" --quick --out "$out" > "$out/bench.log" 2>&1 || failed+=(bench)
"$LEAKPROOF_ROOT/scripts/stress.sh" --quick --out "$out" || failed+=(stress)
"$LEAKPROOF_ROOT/scripts/stress.sh" --quick --controls --out "$out" || failed+=(stress-controls)
"$LEAKPROOF_ROOT/scripts/report.sh" "$out" || failed+=(report)
ln -sfn "$(cd "$out" && pwd)" "$OUT_ROOT/latest"
if [[ ${#failed[@]} -gt 0 ]]; then
  log "suite FAILED: ${failed[*]}; see $OUT_ROOT/latest/"
  exit 1
fi
log "suite passed: $OUT_ROOT/latest/index.html"
