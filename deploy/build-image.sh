#!/usr/bin/env bash
# Builds the local test image (berth-test/busybox:latest by default) with no registry: a rootfs
# made of Debian's static /bin/busybox, a link for every applet, /etc/passwd and /tmp, brought
# in with `docker import`, default command `sh`. Skips the build when the image is there.
#
# Usage: deploy/build-image.sh [--force] [--host HOST] [--image NAME]
#   --host HOST   engine to build into, as for `docker -H` (unix:///path/docker.sock, tcp://...);
#                 default $DOCKER_HOST, else the default socket
#   --image NAME  image name and tag (default berth-test/busybox:latest)
#   --force       build and re-tag even when the image exists
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

image=berth-test/busybox:latest
host=${DOCKER_HOST:-}
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --host|-H) host=${2:?--host needs a value}; shift ;;
    --image) image=${2:?--image needs a value}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) berth_die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

docker_at() {
  if [ -n "$host" ]; then berth_docker -H "$host" "$@"; else berth_docker "$@"; fi
}

busybox=/bin/busybox
[ -x "$busybox" ] || berth_die "$busybox is missing (Debian package busybox-static)"
# A dynamically linked busybox would need its libraries in the image too.
if ldd "$busybox" >/dev/null 2>&1; then
  berth_die "$busybox is dynamically linked; install busybox-static"
fi

# Test setups in parallel may all find the image missing; one builds, the others then see it.
exec 9>/tmp/berth-build-image.lock
flock 9

if [ "$force" = 0 ] && docker_at image inspect "$image" >/dev/null 2>&1; then
  berth_note "image $image: present${host:+ on $host}"
  exit 0
fi

berth_say "building $image from $busybox${host:+ on $host}"
rootfs=$(mktemp -d /tmp/berth-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,var/www}
install -d -m 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# Each applet at the path busybox itself reports (bin/sh, usr/bin/wget, usr/sbin/httpd ...).
"$busybox" --list-full | while read -r applet; do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF

# Fixed owners, order and times keep the layer the same from one build to the next.
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -cf - . |
  docker_at import \
    --change 'CMD ["sh"]' \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --message "berth test image from $($busybox | head -n 1)" \
    - "$image" >/dev/null
berth_note "image $image: built ($(docker_at image inspect -f '{{.Id}}' "$image" | cut -c1-19))"
