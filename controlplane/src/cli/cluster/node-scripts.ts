// The shell scripts baked into the node image under /usr/local/bin. They are part of the image's
// content hash, so changing one here rebuilds the image. Debian's /bin/sh is dash: POSIX only.

/**
 * A node's main process (under docker-init, which reaps and forwards signals): its own dockerd,
 * then the agent once dockerd answers; the container lives as long as dockerd. The agent is a
 * separate process started by `berth-agent-ctl`, so `node kill` can SIGKILL it alone and the
 * node's containers keep running. A node created with BERTH_NODE_FARGATE=1 (the first one)
 * also runs a Fargate agent, the cluster's FARGATE and FARGATE_SPOT capacity.
 */
const nodeEntry = `#!/bin/sh
set -u
mkdir -p /var/log/berth /run/berth
rm -f /var/run/docker.pid /run/berth/agent.pid /run/berth/agent-fargate.pid
# A registry mirror, when the cluster was created with one (--registry-mirror).
dockerd \${BERTH_REGISTRY_MIRROR:+--registry-mirror "$BERTH_REGISTRY_MIRROR"} >>/var/log/berth/dockerd.log 2>&1 &
dockerd_pid=$!
trap 'berth-agent-ctl stop fargate; berth-agent-ctl stop; kill -TERM $dockerd_pid 2>/dev/null; wait $dockerd_pid; exit 0' TERM INT
i=0
until docker info >/dev/null 2>&1; do
  kill -0 $dockerd_pid 2>/dev/null || { echo "dockerd exited; see /var/log/berth/dockerd.log" >&2; tail -n 20 /var/log/berth/dockerd.log >&2; exit 1; }
  i=$((i + 1))
  [ $i -gt 1200 ] && { echo "dockerd did not answer within 120 s" >&2; exit 1; }
  sleep 0.1
done
berth-agent-ctl start
[ "\${BERTH_NODE_FARGATE:-}" = 1 ] && berth-agent-ctl start fargate
wait $dockerd_pid
`;

/**
 * Starts, stops, kills and reports the node's agent, or with a second argument `fargate` its
 * Fargate agent (own data dir, introspection port 51680, BERTH_AGENT_FARGATE=1). The pid file
 * is checked against /proc/PID/cmdline before any signal, so a reused pid is never signalled.
 */
const agentCtl = `#!/bin/sh
set -u
pidfile=/run/berth/agent.pid
log=/var/log/berth/agent.log
if [ "\${2:-}" = fargate ]; then
  pidfile=/run/berth/agent-fargate.pid
  log=/var/log/berth/agent-fargate.log
  export BERTH_AGENT_FARGATE=1 BERTH_DATA_DIR=/var/lib/berth/agent-fargate BERTH_INTROSPECTION_PORT=51680
fi
agent_pid() {
  [ -f $pidfile ] || return 1
  pid=$(cat $pidfile)
  tr '\\0' ' ' </proc/$pid/cmdline 2>/dev/null | grep -q berth-agent || return 1
  echo $pid
}
case "\${1:-}" in
  start)
    if agent_pid >/dev/null; then echo "agent already running"; exit 0; fi
    mkdir -p /var/log/berth /run/berth
    node /opt/berth/agent/bin/berth-agent.js </dev/null >>$log 2>&1 &
    echo $! >$pidfile
    echo "agent started (pid $!)" ;;
  stop)
    pid=$(agent_pid) || exit 0
    kill -TERM $pid
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 250 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL $pid 2>/dev/null
    rm -f $pidfile ;;
  kill)
    pid=$(agent_pid) || { echo "agent not running"; exit 3; }
    kill -KILL $pid
    rm -f $pidfile
    echo "agent killed (pid $pid)" ;;
  status)
    agent_pid >/dev/null && echo up || { echo down; exit 3; } ;;
  *) echo "usage: berth-agent-ctl start|stop|kill|status [fargate]" >&2; exit 2 ;;
esac
`;

/**
 * Cuts or restores the node's link to one address (the control plane) with a chain of its own
 * in the node's filter table; dockerd's own rules and the node's containers are untouched.
 */
const linkCtl = `#!/bin/sh
set -eu
chain=BERTH-PARTITION
case "\${1:-}" in
  cut)
    peer=\${2:?peer address}
    iptables -N $chain 2>/dev/null || iptables -F $chain
    iptables -A $chain -s "$peer" -j DROP
    iptables -A $chain -d "$peer" -j DROP
    iptables -C INPUT -j $chain 2>/dev/null || iptables -I INPUT -j $chain
    iptables -C OUTPUT -j $chain 2>/dev/null || iptables -I OUTPUT -j $chain ;;
  restore)
    while iptables -D INPUT -j $chain 2>/dev/null; do :; done
    while iptables -D OUTPUT -j $chain 2>/dev/null; do :; done
    iptables -F $chain 2>/dev/null || true
    iptables -X $chain 2>/dev/null || true ;;
  status)
    iptables -C OUTPUT -j $chain 2>/dev/null && echo cut || echo up ;;
  *) echo "usage: berth-link-ctl cut PEER|restore|status" >&2; exit 2 ;;
esac
`;

/**
 * The control plane's main process: a local etcd with its data in the container, then one
 * control-plane replica on all addresses, so the nodes reach it by name on the cluster network.
 */
const controlPlaneEntry = `#!/bin/sh
set -u
mkdir -p /var/log/berth /var/lib/berth
etcd --name berth --data-dir /var/lib/berth/etcd \\
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \\
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \\
  --initial-cluster berth=http://127.0.0.1:2380 >>/var/log/berth/etcd.log 2>&1 &
node -e '
const deadline = Date.now() + 60000;
(async () => {
  for (;;) {
    try { if ((await fetch("http://127.0.0.1:2379/health")).ok) return; } catch {}
    if (Date.now() > deadline) { console.error("etcd did not answer within 60 s"); process.exit(1); }
    await new Promise((r) => setTimeout(r, 100));
  }
})();
' || exit 1
# The key sealing Secrets Manager values and SecureStrings lives in the control plane's data folder.
export BERTH_SECRETS_KEY_FILE="\${BERTH_SECRETS_KEY_FILE:-/var/lib/berth/secrets.key}"
exec node /opt/berth/controlplane/bin/berth.js controlplane --etcd http://127.0.0.1:2379 \\
  --api 0.0.0.0:7070 --grpc 0.0.0.0:7071 --region "\${BERTH_REGION:-us-east-1}"
`;

/** Script name under /usr/local/bin -> its text. */
export const NODE_SCRIPTS: Readonly<Record<string, string>> = {
  "berth-node-entry": nodeEntry,
  "berth-agent-ctl": agentCtl,
  "berth-link-ctl": linkCtl,
  "berth-controlplane-entry": controlPlaneEntry,
};
