#!/usr/bin/env bash
# Usage: scripts/stress.sh [--quick] [--tests REGEX] [--controls] [--out DIR]
#
# Runs the jcstress tests of concurrency-stress/target/jcstress.jar (building it if needed) and
# writes jcstress's HTML report to <out>/jcstress/ (default: reports/out/<run-id>/).
#   --quick          jcstress quick mode (the mvn verify gate); default: jcstress default mode
#   --tests REGEX    tests to run (default: every test of shipped code, i.e. not the negative controls)
#   --controls       run the negative controls instead; they MUST fail: exit 0 only if jcstress reports FORBIDDEN
#   --out DIR        output folder
#   --dry-run        check the options and print the jcstress command, run nothing
# Exit code: 0 when every test passed (or, with --controls, when the controls were caught), 1 otherwise.
set -euo pipefail
source "$(dirname "$0")/common.sh"
dry=0

mode=default; tests='^dev\.leakproof\.(?!controls\.)'; controls=0; out=''
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --quick) mode=quick ;;
    --tests) tests="${2:?--tests needs a regex}"; shift ;;
    --controls) controls=1; tests='^dev\.leakproof\.controls\.' ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

if [[ $dry -eq 0 ]]; then
  ensure_built
  [[ -n "$out" ]] || out="$(new_run_dir)"
fi
out="${out:-$OUT_ROOT/<run-id>}"
report="$out/jcstress"
if [[ $controls -eq 1 ]]; then report="$out/jcstress-controls"; fi
args=(-t "$tests" -sc false -jvmArgs -Xmx256m -r "$report")
[[ "$mode" == quick ]] && args+=(-m quick)
if [[ $dry -eq 1 ]]; then echo "would run: java -jar $STRESS_JAR ${args[*]}"; exit 0; fi
mkdir -p "$report"
log "jcstress ${args[*]}"
set +e
(cd "$report" && java -jar "$STRESS_JAR" "${args[@]}" > "$report/output.txt" 2>&1)
code=$?
set -e
grep -E '^\(Results:' "$report/output.txt" | tail -1 >&2 || true
if [[ $controls -eq 1 ]]; then
  if [[ $code -eq 1 ]]; then log "negative controls caught (FORBIDDEN reported): the tests have power"; exit 0; fi
  log "negative controls NOT caught (exit $code): the stress tests have no power"; exit 1
fi
[[ $code -eq 0 ]] && log "all stress tests passed; report: $report/index.html" || log "stress tests FAILED (exit $code); report: $report/index.html"
exit "$code"
