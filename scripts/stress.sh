#!/usr/bin/env bash
# Usage: scripts/stress.sh [--quick | --budget TIME | --from DIR] [--tests REGEX] [--controls] [--format json|text] [--out DIR] [--dry-run]
#
# Runs the jcstress tests of concurrency-stress/target/jcstress.jar (building it if needed) and
# writes jcstress's HTML report to <out>/jcstress/ (default out: reports/out/<run-id>/).
#   --quick          jcstress quick mode, as the mvn verify gate runs it (about 4-6 s per test)
#   --budget TIME    the full (nightly) run, spread over about TIME for all selected tests:
#                    30m (default), 2h, 900s; mapped to jcstress forks (-f), iterations and -time
#   --from DIR       run nothing: summarise (and, with --controls, check) the report jcstress already
#                    wrote in DIR, e.g. concurrency-stress/target/jcstress-gate after mvn verify; the
#                    exit status is derived from the report (scripts/suite.sh uses this)
#   --tests REGEX    tests to run (default: every test of shipped code, i.e. not the negative controls)
#   --controls       run the negative controls instead (report in <out>/jcstress-controls/); they MUST
#                    fail: exit 0 only if EVERY control was reported with a FORBIDDEN outcome (ControlsCheck)
#   --format FMT     summary printed: text (default) or json; both are written beside the report
#                    (summary.txt, summary.json: format 1, read by scripts/report.sh)
#   --out DIR        output folder
#   --dry-run        check the options and print the jcstress command, run nothing
# Exit code: 0 when every test passed (with --controls: every control was caught), 1 on any
# FORBIDDEN outcome or error (with --controls: a control was not caught), 2 on bad usage.
set -euo pipefail
source "$(dirname "$0")/common.sh"
dry=0; from=''

mode=budget; budget=30m; tests='^dev\.leakproof\.(?!controls\.)'; controls=0; out=''; format=text
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --quick) mode=quick ;;
    --from) from="${2:?--from needs a jcstress report folder}"; mode=from; shift ;;
    --budget) budget="${2:?--budget needs a time, e.g. 30m}"; mode=budget; shift ;;
    --tests) tests="${2:?--tests needs a regex}"; shift ;;
    --controls) controls=1; tests='^dev\.leakproof\.controls\.' ;;
    --format) format="${2:?--format needs json or text}"; shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ "$format" == json || "$format" == text ]] || die "--format must be json or text, not '$format'"

# "30m" -> 1800; accepts s, m, h suffixes or plain seconds.
to_seconds() {
  local v="$1"
  case "$v" in
    *h) v="${v%h}"; [[ "$v" =~ ^[0-9]+$ ]] && echo $((v * 3600)) && return ;;
    *m) v="${v%m}"; [[ "$v" =~ ^[0-9]+$ ]] && echo $((v * 60)) && return ;;
    *s) v="${v%s}"; [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" && return ;;
    *) [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" && return ;;
  esac
  die "--budget '$1' is not a time like 900s, 30m or 2h"
}
budget_s="$(to_seconds "$budget")"
[[ "$budget_s" -ge 60 ]] || die "--budget must be at least 60s (got $budget)"

# The number of tests the regex selects, from the jar's META-INF/TestList (estimated without a jar).
count_tests() {
  if [[ -f "$STRESS_JAR" ]] && command -v unzip > /dev/null; then
    unzip -p "$STRESS_JAR" META-INF/TestList | sed -E 's/^JCTEST[0-9]+S//; s/[0-9]+S.*$//' | grep -cP -- "$tests" || true
  else
    echo 16
  fi
}

# Builds jcstress.jar alone (not the benchmark and report jars that common.sh's ensure_built also
# wants) unless it exists and is newer than every source file it is made of.
ensure_stress_built() {
  if [[ ! -f "$STRESS_JAR" ]] || [[ -n "$(find "$LEAKPROOF_ROOT/reference-impl" "$LEAKPROOF_ROOT/concurrency-stress" \
      -path '*/src/*' -newer "$STRESS_JAR" -print -quit 2>/dev/null)" ]]; then
    log "building jcstress.jar (mvn package -pl concurrency-stress -am, tests skipped)"
    (cd "$LEAKPROOF_ROOT" && mvn -B -q package -DskipTests -Dstress.skip=true -pl concurrency-stress -am) || die "build failed"
  fi
}

if [[ $dry -eq 0 ]]; then
  ensure_stress_built
  [[ -n "$out" ]] || out="$(new_run_dir)"
  mkdir -p "$out" && out="$(cd "$out" && pwd)" # absolute: jcstress runs from inside the report folder
fi
out="${out:-$OUT_ROOT/<run-id>}"
report="$out/jcstress"
if [[ $controls -eq 1 ]]; then report="$out/jcstress-controls"; fi
args=(-t "$tests" -sc false -jvmArgs -Xmx256m -r "$report")
if [[ "$mode" == quick ]]; then
  args+=(-m quick)
elif [[ "$mode" == from ]]; then
  : # nothing runs
else
  # Each test runs 2 configurations (a normal and a stress fork) per fork count, each of 5 iterations,
  # plus about 2 s of JVM start-up per fork: spread the budget evenly over the selected tests.
  n="$(count_tests)"; [[ "$n" -ge 1 ]] || n=1
  per_config=$((budget_s / (n * 2)))
  forks=$((per_config / 20)); ((forks < 1)) && forks=1; ((forks > 5)) && forks=5
  time_ms=$(( (per_config / forks - 2) * 1000 / 5 )); ((time_ms < 200)) && time_ms=200
  args+=(-m default -f "$forks" -iters 5 -time "$time_ms")
  log "budget ${budget} over $n tests: $forks fork(s) x 2 configurations x 5 iterations x ${time_ms} ms each"
fi
if [[ -n "$from" ]]; then
  [[ -f "$from/index.html" ]] || die "--from $from holds no jcstress report (no index.html)"
fi
if [[ $dry -eq 1 ]]; then
  if [[ -n "$from" ]]; then echo "would summarise: $from/index.html"; else echo "would run: java -jar $STRESS_JAR ${args[*]}"; fi
  [[ $controls -eq 1 ]] && echo "then: java -cp $STRESS_JAR dev.leakproof.stress.ControlsCheck $report"
  exit 0
fi
mkdir -p "$report"
if [[ -n "$from" ]]; then
  log "jcstress not run: summarising the report in $from"
  cp -r "$from"/. "$report"/
  code=-1 # derived from the report below
else
  log "jcstress ${args[*]}"
  set +e
  (cd "$report" && java -jar "$STRESS_JAR" "${args[@]}" > "$report/output.txt" 2>&1)
  code=$?
  set -e
fi

# Summary: one status per test (FAILED if any configuration failed), from the HTML report's index,
# which jcstress writes in every mode (its text output lists passed tests only in quick mode).
summarize() {
  awk 'match($0, /<a href="dev\.leakproof[^"]*\.html">/) {
         n = substr($0, RSTART + 9, RLENGTH - 9 - 7)
         if ((getline nxt) > 0 && match(nxt, />[A-Z][A-Z_ ]*<\/td>/)) {
           st = substr(nxt, RSTART + 1, RLENGTH - 6)
           if (!(n in s) || st != "PASSED") s[n] = st
         }
       }
       END { for (t in s) print s[t], t }' "$report/index.html" | sort -k2
}
rows="$(summarize || true)"
passed=$(grep -c '^PASSED ' <<< "$rows" || true)
failed=$(grep -vc '^PASSED ' <<< "$rows" || true); [[ -n "$rows" ]] || failed=0
if [[ $code -eq -1 ]]; then
  [[ -n "$rows" ]] || die "the report in $from lists no test"
  code=$((failed > 0 ? 1 : 0)) # what jcstress exits with: 1 on any FORBIDDEN outcome or error
fi
# Both summaries are always written (the report tool reads summary.json); --format picks the one printed.
{
  printf '{\n  "format": 1,\n  "kind": "%s",\n  "report": "%s/index.html",\n  "jcstressExit": %d,\n  "passed": %d,\n  "failed": %d,\n  "tests": [' \
    "$([[ $controls -eq 1 ]] && echo controls || echo tests)" "$report" "$code" "$passed" "$failed"
  sep=''
  while read -r st name; do
    [[ -n "$name" ]] || continue
    printf '%s\n    {"test": "%s", "status": "%s"}' "$sep" "$name" "$st"; sep=','
  done <<< "$rows"
  printf '\n  ]\n}\n'
} > "$report/summary.json"
{
  echo "jcstress $([[ $controls -eq 1 ]] && echo 'negative controls' || echo tests): $passed passed, $failed failed (jcstress exit $code)"
  echo "$rows"
  echo "report: $report/index.html"
} > "$report/summary.txt"
cat "$report/summary.$([[ "$format" == json ]] && echo json || echo txt)"

if [[ $controls -eq 1 ]]; then
  if [[ $code -ne 1 ]]; then log "negative controls NOT caught (jcstress exit $code): the stress tests have no power"; exit 1; fi
  if java -cp "$STRESS_JAR" dev.leakproof.stress.ControlsCheck "$report"; then
    log "every negative control was caught with a FORBIDDEN outcome: the tests have power"; exit 0
  fi
  log "some negative control was NOT caught (see above): its test has no proven power"; exit 1
fi
[[ $code -eq 0 ]] && log "all stress tests passed; report: $report/index.html" || log "stress tests FAILED (exit $code); report: $report/index.html"
[[ $code -eq 0 ]] || exit 1
