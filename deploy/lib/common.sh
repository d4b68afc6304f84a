# Shell helpers shared by deploy/install.sh, deploy/build-image.sh, test/run.sh and .ci/run.
# Source it; it defines functions and a few paths and starts nothing by itself.
#
# Daemons started here are started with setsid, a pid file under /run/berth and a log under
# /var/log/berth, and are stopped only by the script that started them: a dockerd that was
# already answering is never touched.

BERTH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BERTH_RUN_DIR=${BERTH_RUN_DIR:-/run/berth}
BERTH_LOG_DIR=${BERTH_LOG_DIR:-/var/log/berth}
BERTH_DOCKERD_PIDFILE=$BERTH_RUN_DIR/dockerd.pid
BERTH_DOCKERD_LOG=$BERTH_LOG_DIR/dockerd.log
# Debian's engine is 20.10 (API 1.41); a newer docker CLI may sit earlier on PATH, so always
# call Debian's client and pin the API version the engine speaks.
BERTH_DOCKER_CLI=/usr/bin/docker
BERTH_DOCKER_API_VERSION=1.41
# Set to 1 (and the pid) by berth_start_dockerd when this shell started dockerd, so its caller
# stops that one and no other.
BERTH_STARTED_DOCKERD=0
BERTH_DOCKERD_PID=

berth_say() { printf '==> %s\n' "$*"; }
berth_note() { printf '    %s\n' "$*"; }
berth_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The package names in deploy/packages.txt, comments and blank lines dropped.
berth_packages() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$BERTH_ROOT/deploy/packages.txt"
}

# Prints each named Debian package that is not installed.
berth_missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# Installs the packages of deploy/packages.txt that are missing; runs apt-get update only then.
berth_ensure_packages() {
  local missing
  # shellcheck disable=SC2046
  missing=$(berth_missing_packages $(berth_packages) | paste -sd ' ')
  if [ -z "$missing" ]; then
    berth_note "Debian packages: all present"
    return 0
  fi
  [ "$(id -u)" = 0 ] || berth_die "missing Debian packages ($missing); run as root to install them"
  berth_say "installing Debian packages: $missing"
  # Package scripts would start etcd, prometheus and dockerd as services; we start what we need
  # ourselves, so a policy-rc.d refuses those starts for the length of the install.
  (
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
      trap 'rm -f "$policy"' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq -o Dpkg::Use-Pty=0 $missing >/dev/null
  ) || berth_die "apt-get install failed for: $missing"
  berth_note "installed: $missing"
}

# Fails unless Node 20 or newer is on PATH (Debian 12's own nodejs is 18).
berth_require_node() {
  command -v node >/dev/null || berth_die "node is not on PATH; berth needs Node 20 or newer"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || berth_die "node $(node -v) is too old; berth needs Node 20 or newer"
}

# True when node_modules matches package-lock.json: npm's hidden lockfile is newer than the lock
# and every workspace manifest, and `npm ls` finds nothing missing or invalid.
berth_node_modules_fresh() {
  local hidden=$BERTH_ROOT/node_modules/.package-lock.json f
  [ -f "$hidden" ] || return 1
  for f in "$BERTH_ROOT"/package-lock.json "$BERTH_ROOT"/package.json "$BERTH_ROOT"/*/package.json; do
    [ -f "$f" ] || continue
    [ "$hidden" -nt "$f" ] || return 1
  done
  (cd "$BERTH_ROOT" && npm ls --all >/dev/null 2>&1)
}

# Installs node modules: `npm ci` from the lockfile (or `npm install` without one), skipped when
# node_modules is already in step. The lock serialises npm runs sharing one checkout.
berth_npm_install() {
  if [ "${1:-}" != "--always" ] && berth_node_modules_fresh; then
    berth_note "node modules: up to date with package-lock.json"
    return 0
  fi
  local cmd=(npm ci --no-audit --no-fund)
  [ -f "$BERTH_ROOT/package-lock.json" ] || cmd=(npm install --no-audit --no-fund)
  berth_say "${cmd[*]}"
  (cd "$BERTH_ROOT" && flock /tmp/berth-npm.lock "${cmd[@]}")
}

# Debian's docker client pinned to the engine's API version; extra arguments pass through.
berth_docker() {
  DOCKER_API_VERSION=$BERTH_DOCKER_API_VERSION "$BERTH_DOCKER_CLI" "$@"
}

# True when the engine (DOCKER_HOST's, else the default socket) answers `docker info` in time.
berth_dockerd_answers() {
  [ -x "$BERTH_DOCKER_CLI" ] || return 1
  timeout 10 env DOCKER_API_VERSION=$BERTH_DOCKER_API_VERSION "$BERTH_DOCKER_CLI" info >/dev/null 2>&1
}

# Starts dockerd unless one already answers, and waits until it does. Sets
# BERTH_STARTED_DOCKERD=1 only when it started one; the caller stops that one and no other.
berth_start_dockerd() {
  if berth_dockerd_answers; then
    berth_note "dockerd: already running, left alone"
    return 0
  fi
  [ "$(id -u)" = 0 ] || berth_die "dockerd is not running and starting it needs root"
  [ -x /usr/sbin/dockerd ] || berth_die "/usr/sbin/dockerd is missing (Debian package docker.io)"
  mkdir -p "$BERTH_RUN_DIR" "$BERTH_LOG_DIR"
  berth_say "starting dockerd (log: $BERTH_DOCKERD_LOG)"
  # BERTH_DOCKERD_ARGS (word-split) lets a run use an engine of its own (`-H unix://S
  # --data-root D --exec-root E`, with DOCKER_HOST=unix://S), and BERTH_DOCKERD_PREFIX runs it in
  # a network namespace (`nsenter --net=/var/run/netns/N`), where its bridge and iptables rules
  # cannot touch the host engine's. Never `--bridge none` in the host's namespace: dockerd then
  # deletes docker0 and the host's engine loses its bridge.
  # shellcheck disable=SC2086
  setsid ${BERTH_DOCKERD_PREFIX:-} /usr/sbin/dockerd --pidfile "$BERTH_DOCKERD_PIDFILE" ${BERTH_DOCKERD_ARGS:-} \
    </dev/null >>"$BERTH_DOCKERD_LOG" 2>&1 &
  local pid=$! waited=0 limit=${BERTH_DOCKERD_WAIT:-90}
  BERTH_STARTED_DOCKERD=1
  BERTH_DOCKERD_PID=$pid
  until berth_dockerd_answers; do
    # setsid forks when it is a process-group leader, so the pid file's pid counts too.
    if ! kill -0 "$pid" 2>/dev/null && ! kill -0 "$(cat "$BERTH_DOCKERD_PIDFILE" 2>/dev/null)" 2>/dev/null; then
      BERTH_STARTED_DOCKERD=0
      tail -n 20 "$BERTH_DOCKERD_LOG" >&2
      berth_die "dockerd exited during start-up (see $BERTH_DOCKERD_LOG)"
    fi
    if [ "$waited" -ge "$limit" ]; then
      tail -n 20 "$BERTH_DOCKERD_LOG" >&2
      berth_die "dockerd did not answer within ${limit}s (see $BERTH_DOCKERD_LOG)"
    fi
    sleep 1
    waited=$((waited + 1))
    [ $((waited % 5)) -eq 0 ] && berth_note "waiting for dockerd to answer (${waited}s of ${limit}s)"
  done
  # dockerd's own pid file is the authority once it answers (setsid may have forked).
  BERTH_DOCKERD_PID=$(cat "$BERTH_DOCKERD_PIDFILE" 2>/dev/null || echo "$pid")
  berth_note "dockerd: answering (pid $BERTH_DOCKERD_PID, after ${waited}s)"
}

# Stops the dockerd this shell started (SIGTERM, then SIGKILL after a grace period); a no-op
# when it started none.
berth_stop_dockerd() {
  [ "$BERTH_STARTED_DOCKERD" = 1 ] || return 0
  BERTH_STARTED_DOCKERD=0
  local pid=$BERTH_DOCKERD_PID
  # Only signal the process if it still is the dockerd we started, not a reused pid.
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 0
  berth_say "stopping the dockerd this run started (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  local waited=0
  # dockerd gives running containers their stop timeout (10 s by default) on the way down.
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    berth_note "dockerd still up after ${waited}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$BERTH_DOCKERD_PIDFILE"
}

