#!/usr/bin/env bash
# Usage: scripts/nightly.sh [--duration 24h] [--stress-budget 2h] [--bench-include REGEX] [--out DIR] [--dry-run] [-- REPORT_TOOL_ARGS...]
#
# The nightly run, into one dated folder (default reports/out/nightly-<UTC date>/; reports/out/nightly-latest
# points at it), one step after the other so that no step disturbs another's measurements:
#   1. scripts/soak.sh --duration D --out RUN            soak (default 24h) -> RUN/soak/
#   2. scripts/stress.sh --budget B --out RUN            every jcstress test (default 2h) -> RUN/jcstress/
#   3. scripts/stress.sh --quick --controls --out RUN    the negative controls must be caught -> RUN/jcstress-controls/
#   4. scripts/bench.sh --out RUN                        every benchmark, full settings -> RUN/jmh.json
#   5. scripts/flame.sh RUN                              flame graphs of the soak's JFR -> RUN/flame/
#   6. scripts/report.sh RUN [REPORT_TOOL_ARGS]          index.html, summary.md, verdict.json
#   7. scripts/check-page.sh RUN/index.html              the page renders cleanly (skipped without Chromium)
# Every step runs even when an earlier one failed, so the report shows all there is.
# Expected time on 2 cores with the defaults: about 26.5 h (soak 24 h, stress 2 h, controls 3 min,
# every benchmark about 25 min, report and flame graphs 1 min). A trial of the whole chain takes about
# 8 minutes: --duration 2m --stress-budget 60s --bench-include RetryBufferAddBenchmark -- --leak-threshold 10MiB/h
# (a 2-minute soak resolves a few MiB/h, not the 1 MiB/h default; docs/soak.md).
#   --duration D        soak length: 90s, 3m, 24h (default 24h)
#   --stress-budget B   jcstress budget: 30m, 2h (default 2h)
#   --bench-include R   only the benchmarks matching this JMH regex (default: all)
#   --out DIR           run folder (default reports/out/nightly-<UTC date>)
#   --dry-run           print the steps, run nothing
#   -- ARGS             passed to the report tool, e.g. -- --leak-threshold 2MiB/h
# Exit code: 0 when every step and every verdict passed, 1 otherwise, 2 on bad usage.
set -euo pipefail
source "$(dirname "$0")/common.sh"

duration=24h; budget=2h; bench_include=''; out=''; dry=0; report_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    --dry-run) dry=1 ;;
    --duration) duration="${2:?--duration needs a value like 3m or 24h}"; shift ;;
    --stress-budget) budget="${2:?--stress-budget needs a value like 30m or 2h}"; shift ;;
    --bench-include) bench_include="${2:?--bench-include needs a JMH regex}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    --) shift; report_args=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ "$duration" =~ ^[0-9]+[smh]?$ ]] || die "--duration must be like 90s, 3m or 24h, not '$duration'"
[[ "$budget" =~ ^[0-9]+[smh]?$ ]] || die "--stress-budget must be like 30m or 2h, not '$budget'"
[[ -n "$out" ]] || out="$OUT_ROOT/nightly-$(date -u +%Y-%m-%d)"

s="$LEAKPROOF_ROOT/scripts"
failed=()
# step NAME COMMAND...: runs one step, its output in RUN/NAME.log; with --dry-run prints it and has
# the script check its own options (its --dry-run).
step() {
  local name="$1"; shift
  if [[ $dry -eq 1 ]]; then
    echo "would run: $*"
    [[ -x "$1" ]] || die "$1 is missing"
    "$1" --dry-run "${@:2}" > /dev/null || die "step '$name' rejects its options"
    return 0
  fi
  log "step $name: $*"
  local start=$SECONDS
  if "$@" > "$out/$name.log" 2>&1; then
    log "step $name passed ($((SECONDS - start)) s)"
  else
    log "step $name FAILED ($((SECONDS - start)) s); see $out/$name.log"
    failed+=("$name")
  fi
}

if [[ $dry -eq 0 ]]; then
  ensure_built
  mkdir -p "$out"
  ln -sfn "$(cd "$out" && pwd)" "$OUT_ROOT/nightly-latest"
  log "nightly run into $out (soak $duration, stress budget $budget)"
fi
step soak "$s/soak.sh" --duration "$duration" --out "$out"
step stress "$s/stress.sh" --budget "$budget" --out "$out"
step stress-controls "$s/stress.sh" --quick --controls --out "$out"
bench_args=(--out "$out"); [[ -z "$bench_include" ]] || bench_args+=(--include "$bench_include")
step bench "$s/bench.sh" "${bench_args[@]}"
step flame "$s/flame.sh" "$out"
if [[ $dry -eq 1 ]]; then
  echo "would run: $s/report.sh $out ${report_args[*]:-}"
  echo "would run: $s/check-page.sh $out/index.html --screenshot $out/index.png --min-charts 1"
  exit 0
fi
set +e
"$s/report.sh" "$out" "${report_args[@]}"
code=$?
set -e
[[ $code -eq 0 ]] || failed+=("report(exit $code)")
if command -v chromium > /dev/null || command -v chromium-browser > /dev/null || command -v google-chrome > /dev/null; then
  "$s/check-page.sh" "$out/index.html" --screenshot "$out/index.png" --min-charts 1 || failed+=(page-check)
else
  log "Chromium not installed: page check skipped"
fi
if [[ ${#failed[@]} -gt 0 ]]; then
  log "nightly FAILED: ${failed[*]}; see $out/index.html"
  exit 1
fi
log "nightly passed: $out/index.html"
