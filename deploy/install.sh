#!/usr/bin/env bash
# Installs what berth needs on a Debian 12 host and builds it from this checkout: the Debian
# packages of deploy/packages.txt that are missing, node modules, the TypeScript build, a running
# dockerd and the local test image. Each step checks first and skips what is already done, so
# running it twice changes nothing the second time.
#
# Usage: deploy/install.sh [--skip-build]
#   --skip-build  stop after node modules (no `npm run build`)
#
# A dockerd that already answers is left alone. One started here keeps running after the script
# (it is the host's engine from then on): pid file /run/berth/dockerd.pid, log
# /var/log/berth/dockerd.log.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

build=1
for arg in "$@"; do
  case "$arg" in
    --skip-build) build=0 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) berth_die "unknown argument: $arg (see --help)" ;;
  esac
done

cd "$BERTH_ROOT"
berth_say "berth install in $BERTH_ROOT"
berth_ensure_packages
berth_require_node
berth_npm_install
if [ "$build" = 1 ]; then
  berth_say "npm run build"
  npm run build --silent
fi
berth_start_dockerd
bash deploy/build-image.sh
berth_say "done"
