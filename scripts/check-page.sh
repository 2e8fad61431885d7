#!/usr/bin/env bash
# Usage: scripts/check-page.sh [--dry-run] PAGE.html [--screenshot OUT.png] [--min-charts N]
#        scripts/check-page.sh --self-test
#
# Renders a report page in headless Chromium and fails unless it renders cleanly:
#   - no JavaScript error, console.error call, unhandled rejection or resource that failed to load;
#   - every image loaded (decoded, non-zero width);
#   - the number of chart images (img.chart) equals what the page announces in
#     <meta name="leakproof-charts">, and is at least --min-charts (default 0).
# How: a copy of the page with a small checking script injected first in <head> (and a <base> so
# that relative links still resolve) is loaded with --dump-dom; the script records errors from the
# start and, on the load event, writes its findings into the DOM, which this script reads. Console
# lines Chromium logs with "Uncaught" also fail the check.
#   --screenshot OUT.png  also save a full-page screenshot (1280 px wide) of the original page
#   --min-charts N        fail with fewer than N charts
#   --self-test           prove the check: a good page must pass, and pages with a script error,
#                         a broken image, a console.error or a missing chart must each fail
#   --dry-run             print the Chromium command, run nothing
# Needs chromium (Debian: apt-get install -y --no-install-recommends chromium); CHROMIUM=path overrides.
# Exit code: 0 the page is clean, 1 it is not, 2 bad usage or no Chromium.
set -euo pipefail
source "$(dirname "$0")/common.sh"

page=''; shot=''; min_charts=0; dry=0; self_test=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    --dry-run) dry=1 ;;
    --self-test) self_test=1 ;;
    --screenshot) shot="${2:?--screenshot needs a file}"; shift ;;
    --min-charts) min_charts="${2:?--min-charts needs a number}"; shift ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) [[ -z "$page" ]] || die "one page at a time (got '$page' and '$1')"; page="$1" ;;
  esac
  shift
done
[[ "$min_charts" =~ ^[0-9]+$ ]] || die "--min-charts must be a whole number, not '$min_charts'"

chromium_bin() {
  local c
  for c in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
    [[ -n "$c" ]] && command -v "$c" > /dev/null && { command -v "$c"; return 0; }
  done
  return 1
}
chrome_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --hide-scrollbars)

if [[ $self_test -eq 1 ]]; then
  [[ $dry -eq 0 ]] || { echo "would run: the self-test pages through $0"; exit 0; }
  dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
  png='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
  head='<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="leakproof-charts" content="1"><title>t</title></head><body>'
  printf '%s<img class="chart" alt="c" src="%s"></body></html>\n' "$head" "$png" > "$dir/good.html"
  printf '%s<img class="chart" alt="c" src="%s"><script>noSuchFunction();</script></body></html>\n' "$head" "$png" > "$dir/script-error.html"
  printf '%s<img class="chart" alt="c" src="data:image/png;base64,AAAAnotapng"></body></html>\n' "$head" > "$dir/broken-image.html"
  printf '%s<img class="chart" alt="c" src="%s"><img alt="x" src="missing.png"></body></html>\n' "$head" "$png" > "$dir/missing-file.html"
  printf '%s<img class="chart" alt="c" src="%s"><script>console.error("bad");</script></body></html>\n' "$head" "$png" > "$dir/console-error.html"
  printf '%s<p>no chart</p></body></html>\n' "$head" > "$dir/missing-chart.html"
  ok=1
  if "$0" "$dir/good.html" > "$dir/out.txt" 2>&1; then echo "self-test: good page passes"; else cat "$dir/out.txt"; echo "self-test FAILED: the good page did not pass"; ok=0; fi
  for bad in script-error broken-image missing-file console-error missing-chart; do
    if "$0" "$dir/$bad.html" > "$dir/out.txt" 2>&1; then
      cat "$dir/out.txt"; echo "self-test FAILED: the $bad page passed"; ok=0
    else
      echo "self-test: $bad page fails: $(grep -m1 -E '^(ERROR|BROKEN|FAIL)' "$dir/out.txt" || true)"
    fi
  done
  [[ $ok -eq 1 ]] && { echo "self-test passed"; exit 0; } || exit 1
fi

[[ -n "$page" ]] || die "expected PAGE.html (see --help)"
if [[ $dry -eq 1 ]]; then
  echo "would run: chromium ${chrome_flags[*]} --user-data-dir=<temp> --virtual-time-budget=10000 --dump-dom <instrumented copy of $page>"
  [[ -n "$shot" ]] && echo "then: chromium ${chrome_flags[*]} --user-data-dir=<temp> --screenshot=$shot $page"
  exit 0
fi
[[ -f "$page" ]] || die "no such page: $page"
chrome="$(chromium_bin)" || die "Chromium not found (tried chromium, chromium-browser, google-chrome): install it with
  apt-get update && apt-get install -y --no-install-recommends chromium   (or set CHROMIUM=/path/to/chrome)"

abs="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
checker='<script>(function(){var errors=[];var ce=console.error;
console.error=function(){errors.push("console.error: "+Array.prototype.join.call(arguments," "));ce.apply(console,arguments);};
window.addEventListener("error",function(e){var t=e.target;
 if(t&&t!==window&&t.tagName){errors.push("failed to load <"+t.tagName.toLowerCase()+"> "+String(t.src||t.href||"").slice(0,80));}
 else{errors.push("uncaught: "+e.message);}},true);
window.addEventListener("unhandledrejection",function(e){errors.push("unhandled rejection: "+e.reason);});
window.addEventListener("load",function(){var im=document.images,loaded=0,broken=[];
 for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0){loaded++;}else{broken.push(String(im[i].alt||im[i].src).slice(0,80));}}
 var meta=document.querySelector("meta[name=leakproof-charts]");
 var p=document.createElement("pre");p.id="leakproof-page-check";
 p.textContent="CHECK images="+im.length+" loaded="+loaded+" charts="+document.querySelectorAll("img.chart").length
  +" expected="+(meta?meta.content:"none")+" height="+document.documentElement.scrollHeight+"\n"
  +errors.map(function(x){return "ERROR "+x;}).join("\n")+"\n"+broken.map(function(x){return "BROKEN "+x;}).join("\n")+"\nEND";
 document.body.appendChild(p);});})();</script>'
base="<base href=\"file://$(dirname "$abs")/\">"
BASE="$base" CHECKER="$checker" perl -0777 -pe '
  my $inject = $ENV{BASE} . $ENV{CHECKER};
  s/(<head[^>]*>)/$1$inject/i or s/^/$inject/;' "$abs" > "$work/page.html"

set +e
timeout 120 "$chrome" "${chrome_flags[@]}" --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --virtual-time-budget=10000 --dump-dom "file://$work/page.html" > "$work/dom.html" 2> "$work/chrome.log"
code=$?
set -e
[[ $code -eq 0 ]] || { tail -20 "$work/chrome.log" >&2; log "Chromium failed (exit $code) on $page"; exit 1; }

report="$(sed -n '/<pre id="leakproof-page-check">/,/END<\/pre>/p' "$work/dom.html" | sed 's/<pre id="leakproof-page-check">//; s/END<\/pre>.*//' \
  | sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g' | grep -v '^$' || true)"
failures=()
if [[ -z "$report" ]]; then
  failures+=("FAIL the page did not finish loading (no check result in the DOM)")
else
  echo "$report" | grep -E '^(ERROR|BROKEN)' || true
  while read -r line; do failures+=("$line"); done < <(echo "$report" | grep -E '^(ERROR|BROKEN)' || true)
  check="$(echo "$report" | grep -m1 '^CHECK')"
  charts="$(sed -E 's/.* charts=([0-9]+).*/\1/' <<< "$check")"
  expected="$(sed -E 's/.* expected=([^ ]+).*/\1/' <<< "$check")"
  height="$(sed -E 's/.* height=([0-9]+).*/\1/' <<< "$check")"
  echo "$check"
  [[ "$expected" == none || "$expected" == "$charts" ]] || failures+=("FAIL $charts chart images, but the page announces $expected")
  [[ "$charts" -ge "$min_charts" ]] || failures+=("FAIL $charts chart images, fewer than --min-charts $min_charts")
fi
while read -r line; do failures+=("FAIL console: $line"); done < <(grep -E 'CONSOLE.*Uncaught' "$work/chrome.log" | sed -E 's/^\[[^]]*\] //' || true)

if [[ -n "$shot" ]]; then
  mkdir -p "$(dirname "$shot")"
  h="${height:-3000}"; ((h < 600)) && h=600; ((h > 16000)) && h=16000
  timeout 120 "$chrome" "${chrome_flags[@]}" --user-data-dir="$work/profile2" --window-size="1280,$h" \
    --virtual-time-budget=10000 --screenshot="$shot" "file://$abs" > /dev/null 2>&1 || failures+=("FAIL screenshot not written")
  [[ -s "$shot" ]] && log "screenshot: $shot (1280x$h)"
fi
if [[ ${#failures[@]} -gt 0 ]]; then
  printf '%s\n' "${failures[@]}" | grep -E '^FAIL' || true
  log "page check FAILED: $page (${#failures[@]} problems)"
  exit 1
fi
log "page check passed: $page"
