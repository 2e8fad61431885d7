#!/usr/bin/env bash
# Usage: scripts/calibrate.sh [--duration 90s] [--rate 2MiB/min] [--kinds retained,lease]
#                             [--leak-threshold 30MiB/h] [--serial] [--seed N] [--clean-run DIR] [--out DIR] [--dry-run]
#
# Proves the soak verdict has power: the same soak is run clean and with an injected leak of each
# kind, each is reported with the same leak threshold, and
#   - the clean soak must end PASS (report exit 0, heap-growth PASS),
#   - every leaking soak must end LEAK (report exit 1, heap-growth LEAK).
#   --duration TIME       length of each soak (default 90s; CI runs this default)
#   --rate RATE           injected leak rate (default 2MiB/min = 120 MiB/h)
#   --kinds LIST          leak kinds to inject, comma-separated: retained, lease (default: both)
#   --leak-threshold T    the report's slope threshold (default 30MiB/h: the report's default 1 MiB/h
#                         is meant for a 24 h soak; a clean 90 s soak's upper bound reached 2-8 MiB/h,
#                         see docs/soak.md#calibration)
#   --serial              run the soaks one after another (default: at the same time; each uses
#                         under 10 % of a core and has its own heap, so they do not disturb each other)
#   --seed N              soak seed (default 42)
#   --clean-run DIR       use this run's clean soak (same workload, seed and duration) instead of a new one
#   --out DIR             output folder (default reports/out/calibration-<time>/), one sub-folder per soak
#   --dry-run             print the commands, run nothing
# Exit code: 0 when every soak ended as expected, 1 when one did not, 2 on bad usage.
set -euo pipefail
source "$(dirname "$0")/common.sh"

duration=90s; rate=2MiB/min; kinds=retained,lease; threshold=30MiB/h; seed=42; clean_run=''; out=''; dry=0; serial=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --serial) serial=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    --duration) duration="${2:?--duration needs a time, e.g. 90s}"; shift ;;
    --rate) rate="${2:?--rate needs a rate, e.g. 1MiB/min}"; shift ;;
    --kinds) kinds="${2:?--kinds needs retained, lease or both}"; shift ;;
    --leak-threshold) threshold="${2:?--leak-threshold needs a slope, e.g. 16MiB/h}"; shift ;;
    --seed) seed="${2:?--seed needs a number}"; shift ;;
    --clean-run) clean_run="${2:?--clean-run needs a run folder}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
IFS=, read -r -a kind_list <<< "$kinds"
for k in "${kind_list[@]}"; do
  [[ "$k" == retained || "$k" == lease ]] || die "--kinds: '$k' is not a leak kind (retained, lease)"
done
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed must be a whole number, got '$seed'"

soak=("$LEAKPROOF_ROOT/scripts/soak.sh" --duration "$duration" --workload mixed --seed "$seed")
report=("$LEAKPROOF_ROOT/scripts/report.sh")
if [[ $dry -eq 1 ]]; then
  out="${out:-$OUT_ROOT/calibration-<time>}"
  if [[ -n "$clean_run" ]]; then echo "would use the clean soak of: $clean_run"
  else echo "would run: scripts/soak.sh ${soak[*]:1} --out $out/clean"; fi
  for k in "${kind_list[@]}"; do
    echo "would run: scripts/soak.sh ${soak[*]:1} --inject-leak $rate --leak-kind $k --out $out/leak-$k"
  done
  echo "then for each: scripts/report.sh RUN --leak-threshold $threshold (clean must PASS, leaks must end LEAK)"
  exit 0
fi
command -v jq > /dev/null || die "jq is needed to read verdict.json (apt-get install -y jq)"
[[ -n "$out" ]] || out="$(new_run_dir "calibration-$(date -u +%Y%m%d-%H%M%S)")"
mkdir -p "$out"

# duration_ms TIME: 90s, 3m, 2h or plain seconds, in milliseconds.
duration_ms() {
  local v="$1" n="${1%[smh]}"
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a duration like 90s, 3m or 2h: '$v'"
  case "$v" in *h) echo $((n * 3600000)) ;; *m) echo $((n * 60000)) ;; *) echo $((n * 1000)) ;; esac
}

# heap_status RUN: the heap-growth verdict of RUN's verdict.json.
heap_status() { jq -r '.verdicts[] | select(.name == "heap-growth") | .status' "$1/verdict.json"; }
heap_detail() { jq -r '.verdicts[] | select(.name == "heap-growth") | .detail' "$1/verdict.json"; }

# check RUN EXPECT_EXIT EXPECT_HEAP LABEL
failures=0
check() {
  local run="$1" want_code="$2" want_heap="$3" label="$4" code heap
  set +e; "${report[@]}" "$run" --leak-threshold "$threshold" --title "calibration: $label" > "$run/report.log" 2>&1; code=$?; set -e
  heap="$(heap_status "$run" 2>/dev/null || echo '?')"
  if [[ $code -eq $want_code && "$heap" == "$want_heap" ]]; then
    log "calibration $label: $heap as expected ($(heap_detail "$run"))"
  else
    log "calibration $label: FAILED, expected report exit $want_code and heap-growth $want_heap, got exit $code and $heap"
    [[ -f "$run/verdict.json" ]] && log "  $(heap_detail "$run")"
    failures=$((failures + 1))
  fi
}

# run_soak DIR ARGS...: one soak into DIR (log DIR.log); its exit code in DIR.code.
run_soak() {
  local dir="$1"; shift
  set +e; "${soak[@]}" "$@" --out "$dir" > "$dir.log" 2>&1; echo $? > "$dir.code"; set -e
}
runs=()
if [[ -n "$clean_run" ]]; then
  [[ -f "$clean_run/soak/samples.jsonl" ]] || die "--clean-run $clean_run has no soak/samples.jsonl"
  header="$(head -1 "$clean_run/soak/samples.jsonl")"
  want_ms="$(duration_ms "$duration")"
  got="$(jq -r '[.workload, .seed, .plannedDurationMs, .injectLeak.kind] | map(tostring) | join(" ")' <<< "$header")"
  [[ "$got" == "mixed $seed $want_ms none" ]] \
    || die "--clean-run $clean_run is not the same soak (workload, seed, duration ms, leak: $got; wanted mixed $seed $want_ms none)"
  mkdir -p "$out/clean" && cp -r "$clean_run/soak" "$out/clean/" && echo 0 > "$out/clean.code"
else
  runs+=(clean)
fi
for k in "${kind_list[@]}"; do runs+=("leak-$k"); done
log "calibration: ${#runs[@]} soak(s) of $duration ($([[ $serial -eq 1 ]] && echo 'one after another' || echo 'at the same time')): ${runs[*]}"
pids=()
for r in "${runs[@]}"; do
  args=()
  [[ "$r" == leak-* ]] && args=(--inject-leak "$rate" --leak-kind "${r#leak-}")
  if [[ $serial -eq 1 ]]; then run_soak "$out/$r" "${args[@]}"; else run_soak "$out/$r" "${args[@]}" & pids+=($!); fi
done
for p in "${pids[@]}"; do wait "$p"; done

checks=("${runs[@]}")
[[ -n "$clean_run" ]] && checks=(clean "${runs[@]}")
for r in "${checks[@]}"; do
  code="$(cat "$out/$r.code")"
  if [[ "$code" -ne 0 ]]; then
    log "calibration $r: the soak itself failed (exit $code, see $out/$r.log)"; failures=$((failures + 1)); continue
  fi
  if [[ "$r" == clean ]]; then check "$out/$r" 0 PASS clean; else check "$out/$r" 1 LEAK "${r#leak-} leak of $rate"; fi
done

if [[ $failures -gt 0 ]]; then log "calibration FAILED: $failures soak(s) did not end as expected; see $out"; exit 1; fi
log "calibration passed: the clean soak PASSes and every injected leak ends LEAK ($out)"
