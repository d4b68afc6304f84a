import { setFlagsFromString } from "node:v8";

/**
 * V8 flags the agent's process sets for itself at start, with the idle RSS it saves
 * (measured by `BERTH_BENCH_ONLY=agent-rss npm run bench`; docs/BENCHMARKS.md, "A real agent's
 * idle RSS"). They are set at run time from the agent's entry, not passed on node's command
 * line, so every launcher (`berth up`, `berth agent`, the systemd unit, the Docker-in-Docker
 * node script, the tests) gets them; only flags V8 reads after start-up can be set this way,
 * which is why `--max-semi-space-size` is not one of them.
 */
export const agentV8Flags = [
  // The young generation stays at its initial two 1 MiB semi-spaces. V8 otherwise doubles them
  // on a burst of allocation (loading the agent's modules, a log batch) up to 2 × 16 MiB and
  // keeps them grown while the process stays even a little busy (heartbeats, Docker pings,
  // stats); every semi-space page the scavenger has written stays resident. V8 reads this
  // factor each time it would grow the space. Cost: more, smaller scavenges under heavy
  // allocation, which an agent rarely sees.
  "--semi-space-growth-factor=1",
  // TurboFan stays on, though turning it off (`--no-opt`) saves about 4 MiB of idle RSS and
  // would take the agent under issue 12's 60 MiB: it costs 2.1-2.5x the CPU on the agent's
  // heaviest path (awslogs lines to batches), which a host shipping logs pays all day, for
  // clean code pages that are shared and reclaimable (docs/BENCHMARKS.md).
] as const;

// Set on import: the agent's entry (main.ts) imports this module first, so the flags hold
// before the rest of the agent's modules are even loaded. Only the agent's own process does:
// startAgent in another program (the fleet simulator) leaves that program's V8 alone.
for (const flag of agentV8Flags) setFlagsFromString(flag);
