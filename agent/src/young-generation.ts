import { setFlagsFromString } from "node:v8";

/**
 * The flag that keeps V8's young generation at its initial size: two semi-spaces of 1 MiB,
 * where V8 otherwise doubles them, on a burst of allocation such as loading the agent's modules
 * or a log batch, up to 2 × 16 MiB, and keeps them grown while the process stays even a little
 * busy (heartbeats, Docker pings, stats). Each grown semi-space page the scavenger has written
 * stays resident, so that headroom was the largest part of an idle agent's RSS
 * (docs/BENCHMARKS.md, "A real agent's idle RSS"). V8 reads this flag each time it would grow
 * the space, so setting it at run time works where `--max-semi-space-size` (read once, when
 * the heap is made) would need every launcher to pass it on node's command line. The cost is
 * more, smaller scavenges under heavy allocation; an agent allocates little.
 */
export const youngGenerationFlag = "--semi-space-growth-factor=1";

// Set on import: the agent's entry (main.ts) imports this module first, so the flag holds
// before the rest of the agent's modules are even loaded. Only the agent's own process does:
// startAgent in another program (the fleet simulator) leaves that program's heap alone.
setFlagsFromString(youngGenerationFlag);
