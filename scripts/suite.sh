#!/usr/bin/env bash
# Usage: scripts/suite.sh --quick [--out DIR] [--soak TIME] [--fresh-stress] [--dry-run]
#
# The main job: every instrument briefly, one run folder, ending in reports/out/latest/index.html.
#   1. JMH, quick: the headline benchmark of each primitive (queue 1P1C transfer, pool 4 KiB
#      acquire + release, retry-buffer add, pipeline end to end), 1 fork, short iterations
#   2. jcstress, quick, and the negative controls, which must be caught (scripts/stress.sh); when
#      mvn verify's gate has just run them on the same jar (its reports in concurrency-stress/target
#      are newer than the jar and than every source), its results are summarised instead of run again
#   3. a soak of the mixed workload, 3 minutes by default (scripts/soak.sh), and its flame graphs
#      (scripts/flame.sh)
#   4. the report (scripts/report.sh) with the short-soak leak threshold (10 MiB/h: a 3-minute
#      soak resolves a few MiB/h, the default 1 MiB/h is for the 24 h nightly; docs/soak.md),
#      then reports/out/latest points at this run
#   5. the page check in headless Chromium (scripts/check-page.sh), when chromium is installed
#   --soak TIME     soak length (default 3m)
#   --fresh-stress  always run jcstress, even after a fresh mvn verify
# Takes about 7 minutes on 2 cores, 4 when mvn verify's jcstress results are reused. The nightly run is scripts/nightly.sh.
# Exit code: 0 when every step and verdict passed, 1 otherwise, 2 on bad usage.
set -euo pipefail
source "$(dirname "$0")/common.sh"

HEADLINE='dev\.leakproof\.(queue\.QueueTransferBenchmark|pool\.PoolAcquireReleaseBenchmark|retry\.RetryBufferAddBenchmark|pipeline\.PipelineThroughputBenchmark)\.'
SHORT_SOAK_THRESHOLD=10MiB/h

dry=0; quick=0; out=''; soak_time=3m; fresh_stress=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    --quick) quick=1 ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    --fresh-stress) fresh_stress=1 ;;
    --soak) soak_time="${2:?--soak needs a time, e.g. 3m}"; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $quick -eq 1 ]] || die "only --quick exists (the full nightly run is scripts/nightly.sh)"
steps=("bench.sh --quick --include $HEADLINE" "stress.sh --quick" "stress.sh --quick --controls"
       "soak.sh --duration $soak_time" "flame.sh RUN_DIR" "report.sh RUN_DIR --leak-threshold $SHORT_SOAK_THRESHOLD"
       "check-page.sh RUN_DIR/index.html --min-charts 1")
if [[ $dry -eq 1 ]]; then
  for step in "${steps[@]}"; do echo "would run: scripts/$step"; done
  "$LEAKPROOF_ROOT/scripts/soak.sh" --dry-run --duration "$soak_time" > /dev/null || die "soak.sh refuses --duration $soak_time"
  exit 0
fi

# The gate's reports count as this run's when they were written after the jar was built and no
# source of the jar has changed since: the same tests, the same quick mode, the same code.
GATE="$LEAKPROOF_ROOT/concurrency-stress/target/jcstress-gate"
GATE_CONTROLS="$LEAKPROOF_ROOT/concurrency-stress/target/jcstress-controls"
gate_is_fresh() {
  [[ $fresh_stress -eq 0 && -f "$GATE/index.html" && -f "$GATE_CONTROLS/index.html" && -f "$STRESS_JAR" ]] || return 1
  [[ "$GATE/index.html" -nt "$STRESS_JAR" && "$GATE_CONTROLS/index.html" -nt "$STRESS_JAR" ]] || return 1
  [[ -z "$(find "$LEAKPROOF_ROOT/reference-impl" "$LEAKPROOF_ROOT/concurrency-stress" -path '*/src/*' \
      -newer "$GATE/index.html" -print -quit 2>/dev/null)" ]]
}

ensure_built
[[ -n "$out" ]] || out="$(new_run_dir)"
S="$LEAKPROOF_ROOT/scripts"
failed=()
log "suite: 1/5 benchmarks (log: $out/bench.log)"
"$S/bench.sh" --quick --include "$HEADLINE" --out "$out" > "$out/bench.log" 2>&1 || failed+=(bench)
if gate_is_fresh; then
  log "suite: 2/5 jcstress tests and negative controls: mvn verify's gate ran them on this jar at $(date -r "$GATE/index.html" +%H:%M); its results are used (--fresh-stress runs them again)"
  "$S/stress.sh" --from "$GATE" --out "$out" || failed+=(stress)
  "$S/stress.sh" --from "$GATE_CONTROLS" --controls --out "$out" || failed+=(stress-controls)
else
  log "suite: 2/5 jcstress tests and negative controls"
  "$S/stress.sh" --quick --out "$out" || failed+=(stress)
  "$S/stress.sh" --quick --controls --out "$out" || failed+=(stress-controls)
fi
log "suite: 3/5 soak, $soak_time (log: $out/soak/soak.log)"
"$S/soak.sh" --duration "$soak_time" --out "$out" > "$out/soak.out" 2>&1 || failed+=(soak)
"$S/flame.sh" "$out" > "$out/flame.log" 2>&1 || failed+=(flame)
log "suite: 4/5 report"
"$S/report.sh" "$out" --leak-threshold "$SHORT_SOAK_THRESHOLD" || failed+=(report)
ln -sfn "$(cd "$out" && pwd)" "$OUT_ROOT/latest"
if command -v "${CHROMIUM:-chromium}" > /dev/null; then
  log "suite: 5/5 page check in headless Chromium"
  "$S/check-page.sh" "$out/index.html" --min-charts 1 --screenshot "$out/page.png" || failed+=(page)
else
  log "suite: 5/5 page check skipped: chromium is not installed (apt-get install -y --no-install-recommends chromium)"
fi
if [[ ${#failed[@]} -gt 0 ]]; then
  log "suite FAILED: ${failed[*]}; see $OUT_ROOT/latest/index.html"
  exit 1
fi
log "suite passed: $OUT_ROOT/latest/index.html"
