#!/usr/bin/env bash
# Runs berth's tests at one level, or all of them, and ends with one line alone,
# `N passed, N failed, N skipped`, summed over the levels run (CI reads that line; it does not
# read vitest's own summary). Exits non-zero when anything failed or when no test ran.
#
# Usage: test/run.sh unit|integration|cluster|all [vitest arguments, e.g. a path filter]
#
#   unit         tests next to the code; needs no root, Docker or etcd
#   integration  test/integration against the real dockerd and /usr/bin/etcd (the tests start
#                their own etcd); builds first, since tests spawn the built processes
#   cluster      test/cluster, hosts made of network namespaces; builds first
#
# Before the tests it regenerates generated code and fails the run if that changed anything.
# For integration and cluster it starts dockerd when none answers (and stops that one at the
# end) and builds the test image when it is missing. Per-level JSON results land in
# .berth/test-results/.
set -uo pipefail
. "$(dirname "$0")/../deploy/lib/common.sh"
cd "$BERTH_ROOT"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
  unit|integration|cluster) levels=("$1") ;;
  all) levels=(unit integration cluster) ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
shift

results=.berth/test-results
mkdir -p "$results"
rm -f "$results"/*.json "$results/summary.txt" "$results/failures.txt"

passed=0 failed=0 skipped=0
problems=()
failure_lists=()

# A failed check that is not a test (stale generated code, a failed build) still fails the run
# and is counted as one failure, so the closing line agrees with the exit code.
check_failed() {
  problems+=("$1")
  failed=$((failed + 1))
  printf 'FAILED: %s\n' "$1"
}

# Stops what this script started, whether it ends normally or is interrupted.
trap berth_stop_dockerd EXIT
trap 'exit 130' INT TERM

# One `sha256  path` line per file under the generated folders.
# Every API's generated folder (validators, trimmed models) next to the protocol buffers' code.
generated_dirs=(proto/generated controlplane/src/api/*/generated)
generated_hashes() {
  local dirs=() d
  for d in "${generated_dirs[@]}"; do [ -d "$d" ] && dirs+=("$d"); done
  [ ${#dirs[@]} -gt 0 ] || return 0
  find "${dirs[@]}" -type f -print0 | sort -z | xargs -0 -r sha256sum
}

has_generate_script() {
  node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1])).scripts?.generate ? 0 : 1)' "$1/package.json"
}

# Generated code must be what the generators write from today's sources. Comparing before and
# after (rather than against git's index) gives the same answer in a fresh clone and does not
# flag regenerated output a developer has not committed yet.
check_generated_fresh() {
  berth_say "checking generated code is fresh"
  local ws ran=0 changed
  generated_hashes >"$results/generated.before"
  for ws in proto controlplane; do
    if ! has_generate_script "$ws"; then
      berth_note "skipped: $ws/package.json has no generate script yet"
      continue
    fi
    ran=1
    # Run inside the folder: `-w controlplane` would also name the nested controlplane/console workspace.
    if ! (cd "$ws" && npm run generate --silent) >"$results/generate-$ws.log" 2>&1; then
      cat "$results/generate-$ws.log"
      check_failed "npm run generate -w $ws failed"
      return
    fi
  done
  [ "$ran" = 1 ] || return 0
  generated_hashes >"$results/generated.after"
  # Paths whose hash differs, or that exist on one side only.
  changed=$(diff "$results/generated.before" "$results/generated.after" | sed -n 's/^[<>] [0-9a-f]*  //p' | sort -u)
  if [ -n "$changed" ]; then
    printf '%s\n' "$changed" | sed 's/^/    changed by generation: /'
    check_failed "generated code was stale: run 'npm run generate' and commit the result"
  else
    berth_note "generated code: fresh"
  fi
}

# STYLE.md's folder rules (.dependency-cruiser.cjs): workspaces meet through their index only,
# shared/ stands alone, the control plane and the agent never import each other, no cycles.
check_boundaries() {
  berth_say "checking module boundaries and cycles"
  if npx --no-install depcruise shared/src proto controlplane/src agent/src test --config .dependency-cruiser.cjs >"$results/boundaries.log" 2>&1; then
    berth_note "module boundaries: kept ($(grep -o '[0-9]* modules' "$results/boundaries.log" | head -1))"
  else
    cat "$results/boundaries.log"
    check_failed "module boundaries broken: see the violations above"
  fi
}

# STYLE.md's ceiling: a hand-written file holds at most 400 lines (generated code apart, in any
# folder named generated/; vendored models are JSON and not matched).
check_file_sizes() {
  berth_say "checking file sizes"
  local over
  over=$(git ls-files -- '*.ts' '*.mjs' '*.cjs' '*.js' '*.sh' ':!:**/generated/**' ':!:*/generated/**' \
    | while read -r f; do [ -f "$f" ] && n=$(wc -l <"$f") && [ "$n" -gt 400 ] && echo "    $f: $n lines"; done)
  if [ -n "$over" ]; then
    printf '%s\n' "$over"
    check_failed "files over 400 lines: split them by what they hold"
  else
    berth_note "file sizes: every hand-written file within 400 lines"
  fi
}

# What integration and cluster tests need on the host; the unit level needs none of it.
prepare_host() {
  [ -x /usr/bin/etcd ] || berth_die "/usr/bin/etcd is missing (Debian package etcd-server)"
  berth_start_dockerd
  bash deploy/build-image.sh || berth_die "could not build the test image"
  berth_say "npm run build"
  if ! npm run build --silent; then
    check_failed "npm run build failed"
  fi
}

# Adds one level's counts from vitest's JSON report. A file that fails before any test runs
# (a syntax error, a failed import, a failing beforeAll) counts as one failure.
read_counts() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const fileFailures = (r.testResults ?? []).filter((f) =>
      f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed")).length;
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(r.numPassedTests ?? 0, (r.numFailedTests ?? 0) + fileFailures, skipped);
  ' "$1"
}

# Names each failed test (file > title) with the first line of its message, then each test that
# failed first and passed on its retry (vitest keeps the first attempt's error), so the tail of a
# long log says what went wrong without scrolling back through vitest's output.
list_failures() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const rel = (p) => require("path").relative(process.cwd(), p);
    const first = (a) => (a.failureMessages ?? [])[0]?.split("\n")[0] ?? "";
    for (const f of r.testResults ?? []) {
      const all = f.assertionResults ?? [];
      const failed = all.filter((a) => a.status === "failed");
      if (f.status === "failed" && failed.length === 0) console.log(`  FAILED ${rel(f.name)}: ${(f.message ?? "").split("\n")[0]}`);
      for (const a of failed) console.log(`  FAILED ${rel(f.name)} > ${a.fullName}\n      ${first(a)}`);
      for (const a of all.filter((x) => x.status === "passed" && (x.failureMessages ?? []).length > 0)) {
        console.log(`  FLAKY (passed on retry) ${rel(f.name)} > ${a.fullName}\n      ${first(a)}`);
      }
    }
  ' "$1"
}

run_level() {
  local level=$1 json=$results/$1.json code p f s
  shift
  berth_say "vitest: $level"
  npx --no-install vitest run --config test/vitest.config.ts --project "$level" \
    --reporter=default --reporter=json --outputFile.json="$json" --passWithNoTests "$@"
  code=$?
  if [ ! -s "$json" ]; then
    check_failed "$level: vitest exited $code without a JSON report"
    return
  fi
  read -r p f s < <(read_counts "$json") || { check_failed "$level: unreadable JSON report"; return; }
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  local listed
  listed=$(list_failures "$json")
  [ -z "$listed" ] || failure_lists+=("$level:" "$listed")
  if [ "$code" != 0 ] && [ "$f" = 0 ]; then
    check_failed "$level: vitest exited $code with no failed test (an unhandled error?)"
  fi
  [ $((p + f + s)) -gt 0 ] || berth_note "$level: no tests found"
}

# Docker CLI calls inside tests must speak the engine's API, whatever client is first on PATH.
export DOCKER_API_VERSION=$BERTH_DOCKER_API_VERSION

check_generated_fresh
check_boundaries
check_file_sizes
for level in "${levels[@]}"; do
  if [ "$level" != unit ] && [ -z "${host_ready:-}" ]; then
    prepare_host
    host_ready=1
  fi
  run_level "$level" "$@"
done

berth_stop_dockerd
trap - EXIT
# Skipped tests alone do not count as a run.
if [ $((passed + failed)) = 0 ]; then
  problems+=("no tests ran")
  echo "FAILED: no tests ran"
fi
# Kept in a file too, so .ci/run can repeat it after its clean-up output.
if [ ${#failure_lists[@]} -gt 0 ]; then
  { printf 'failed or flaky tests:\n'; printf '%s\n' "${failure_lists[@]}"; } | tee "$results/failures.txt"
fi
if [ ${#problems[@]} -gt 0 ]; then
  printf 'problems:\n'
  printf '  - %s\n' "${problems[@]}"
fi
summary="$passed passed, $failed failed, $skipped skipped"
echo "$summary" >"$results/summary.txt"
echo "$summary"
[ ${#problems[@]} -eq 0 ] && [ "$failed" = 0 ]
