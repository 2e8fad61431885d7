#!/usr/bin/env bash
# Usage: scripts/soak.sh [--duration 24h] [--workload mixed] [--heap 256m] [--seed N] [--inject-leak RATE]
#                        [--leak-kind retained|lease] [--out DIR] [--dry-run] [--help]
#
# Runs the soak driver (soak/target/soak.jar, built if needed) in a JVM with -Xms = -Xmx = the heap and
# writes DIR/soak/{samples.jsonl,soak.jfr,soak.log} (default DIR: a new reports/out/<run-id>/).
#   --duration D       how long: 90s, 3m, 24h (default 24h, the nightly soak)
#   --workload W       mixed (default), queue, pipeline, retry or pool
#   --heap SIZE        the soak JVM's heap, as -Xmx takes it (default 256m)
#   --seed N           seed of the workload's random choices (default 42)
#   --inject-leak RATE calibration leak: 2MiB/min, 512KiB/min, 0 (default 0: a clean run)
#   --leak-kind K      retained (byte arrays kept reachable, default) or lease (pool leases never closed)
#   --out DIR          the run folder; the files go to DIR/soak/
#   --dry-run          check the options and print the java command, run nothing
# Extra driver options (docs/soak.md) can be passed after --, e.g. -- --settle-interval 5s --pace 0.5.
# Exit code: 0 the soak ran to its end (the LEAK/PASS verdict is scripts/report.sh's job), 1 the soak
# failed (OOM, crash, a component error), 2 bad usage, 130 interrupted (SIGINT/SIGTERM; the samples
# end with an "interrupted" record).
set -euo pipefail
source "$(dirname "$0")/common.sh"

duration=24h; workload=mixed; heap=256m; seed=42; rate=0; kind=retained; out=''; dry=0; extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --dry-run) dry=1 ;;
    --duration) duration="${2:?--duration needs a value like 90s, 3m or 24h}"; shift ;;
    --workload) workload="${2:?--workload needs mixed, queue, pipeline, retry or pool}"; shift ;;
    --heap) heap="${2:?--heap needs a size like 256m}"; shift ;;
    --seed) seed="${2:?--seed needs a number}"; shift ;;
    --inject-leak) rate="${2:?--inject-leak needs a rate like 2MiB/min or 0}"; shift ;;
    --leak-kind) kind="${2:?--leak-kind needs retained or lease}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

# Checked here too, so that --dry-run and a typo fail before any build.
[[ "$duration" =~ ^[0-9]+(ms|s|m|h|d)$ ]] || die "--duration '$duration' is not a duration like 90s, 3m or 24h"
[[ "$workload" =~ ^(mixed|queue|pipeline|retry|pool)$ ]] || die "--workload '$workload' is not one of mixed, queue, pipeline, retry, pool"
[[ "$heap" =~ ^[0-9]+[kKmMgG]?$ ]] || die "--heap '$heap' is not a size like 256m or 1g"
[[ "$seed" =~ ^-?[0-9]+$ ]] || die "--seed '$seed' is not a whole number"
[[ "$rate" == 0 || "$rate" =~ ^[0-9]+(\.[0-9]+)?(B|KiB|MiB|GiB)/(s|min|h)$ ]] \
  || die "--inject-leak '$rate' is not a rate like 2MiB/min, 512KiB/min or 0"
[[ "$kind" =~ ^(retained|lease)$ ]] || die "--leak-kind '$kind' is not retained or lease"

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Builds soak.jar alone (not every jar ensure_built wants) unless it is newer than its sources.
ensure_soak_built() {
  if [[ ! -f "$SOAK_JAR" ]] || [[ -n "$(find "$LEAKPROOF_ROOT/reference-impl" "$LEAKPROOF_ROOT/soak" \
      -path '*/src/*' -newer "$SOAK_JAR" -print -quit 2>/dev/null)" ]]; then
    log "building soak.jar (mvn package -pl soak -am, tests skipped)"
    (cd "$LEAKPROOF_ROOT" && mvn -B -q package -DskipTests -Dstress.skip=true -pl soak -am) || die "build failed"
  fi
}

if [[ $dry -eq 0 ]]; then
  ensure_soak_built
  [[ -n "$out" ]] || out="$(new_run_dir)"
fi
out="${out:-$OUT_ROOT/<run-id>}"
dir="$out/soak"
cmd=("$java_bin" "-Xms$heap" "-Xmx$heap" -jar "$SOAK_JAR" --duration "$duration" --workload "$workload"
     --heap "$heap" --seed "$seed" --inject-leak "$rate" --leak-kind "$kind" --out "$dir" ${extra[@]+"${extra[@]}"})
if [[ $dry -eq 1 ]]; then
  echo "would run: ${cmd[*]}"
  exit 0
fi
mkdir -p "$dir"
log "soak of $duration ($workload, heap $heap, seed $seed, leak $rate $kind) into $dir"

# The JVM runs in the background so that a SIGTERM sent to this script reaches it too; the driver then
# writes its "interrupted" end record and the JFR file before it exits.
set +e
"${cmd[@]}" &
pid=$!
trap 'kill -TERM "$pid" 2> /dev/null' INT TERM
wait "$pid"; code=$?
while kill -0 "$pid" 2> /dev/null; do wait "$pid"; code=$?; done
set -e
trap - INT TERM
case "$code" in
  0) log "soak completed: $dir"; exit 0 ;;
  2) exit 2 ;;
  130|143) log "soak interrupted: $dir"; exit 130 ;;
  *) log "soak failed (java exit $code): $dir"; exit 1 ;;
esac
