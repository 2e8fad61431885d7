#!/usr/bin/env bash
# Usage: scripts/bench.sh [--quick] [--include REGEX] [--forks N] [--jdk JAVA_HOME] [--out DIR] [-- JMH_ARGS...]
#
# Runs the JMH benchmarks of benchmarks/target/benchmarks.jar (building it if needed) with -prof gc
# and JSON output to <out>/jmh.json (default: reports/out/<run-id>/).
#   --quick          short run: 1 fork, 2 x 0.5 s warm-up, 3 x 0.5 s measurement (for the suite, not for quoting)
#   --include REGEX  benchmarks to run (default: all)
#   --forks N        forks per benchmark (default: 2; --quick: 1)
#   --jdk PATH       run on this JDK (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)
#   --out DIR        output folder
#   --dry-run        check the options and print the JMH command, run nothing
#   -- ARGS          passed to JMH as they are
set -euo pipefail
source "$(dirname "$0")/common.sh"
dry=0

quick=0; include='.*'; forks=''; jdk=''; out=''; extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --quick) quick=1 ;;
    --include) include="${2:?--include needs a regex}"; shift ;;
    --forks) forks="${2:?--forks needs a number}"; shift ;;
    --jdk) jdk="${2:?--jdk needs a path}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ -z "$forks" || "$forks" =~ ^[0-9]+$ ]] || die "--forks must be a whole number, got '$forks'"

java_bin=java
if [[ -n "$jdk" ]]; then
  [[ -x "$jdk/bin/java" ]] || die "--jdk '$jdk' has no bin/java"
  java_bin="$jdk/bin/java"
fi
if [[ $dry -eq 0 ]]; then
  ensure_built
  [[ -n "$out" ]] || out="$(new_run_dir)"
  mkdir -p "$out"
fi
out="${out:-$OUT_ROOT/<run-id>}"

args=("$include" -prof gc -rf json -rff "$out/jmh.json")
if [[ $quick -eq 1 ]]; then
  args+=(-f "${forks:-1}" -wi 2 -w 500ms -i 3 -r 500ms)
else
  args+=(-f "${forks:-2}")
fi
if [[ $dry -eq 1 ]]; then echo "would run: $java_bin -jar $BENCH_JAR ${args[*]} ${extra[*]:-}"; exit 0; fi
log "JMH on $("$java_bin" -version 2>&1 | head -1): ${args[*]} ${extra[*]:-}"
"$java_bin" -jar "$BENCH_JAR" "${args[@]}" "${extra[@]}" | tee "$out/jmh.txt"
log "results: $out/jmh.json"
