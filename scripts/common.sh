# Shared helpers for the leakproof scripts; sourced, not run.
# shellcheck shell=bash

LEAKPROOF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_JAR="$LEAKPROOF_ROOT/benchmarks/target/benchmarks.jar"
STRESS_JAR="$LEAKPROOF_ROOT/concurrency-stress/target/jcstress.jar"
REPORT_JAR="$LEAKPROOF_ROOT/reports/target/reports.jar"
SOAK_JAR="$LEAKPROOF_ROOT/soak/target/soak.jar"
OUT_ROOT="${LEAKPROOF_OUT:-$LEAKPROOF_ROOT/reports/out}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

# Builds the jars unless they exist and are newer than every source file.
ensure_built() {
  local stale=0 jar
  for jar in "$BENCH_JAR" "$STRESS_JAR" "$REPORT_JAR" "$SOAK_JAR"; do
    if [[ ! -f "$jar" ]] || [[ -n "$(find "$LEAKPROOF_ROOT" -path '*/src/*' -newer "$jar" -print -quit 2>/dev/null)" ]]; then
      stale=1
    fi
  done
  if [[ $stale -eq 1 ]]; then
    log "building jars (mvn package, tests skipped)"
    (cd "$LEAKPROOF_ROOT" && mvn -B -q package -DskipTests) || die "build failed"
  fi
}

new_run_dir() {
  local id="${1:-$(date -u +%Y%m%d-%H%M%S)}"
  mkdir -p "$OUT_ROOT/$id"
  printf '%s\n' "$OUT_ROOT/$id"
}
