import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// One config, three levels, each runnable alone with --project: unit tests sit next to the code
// and do no I/O; integration tests use real etcd and dockerd on this host; cluster tests build
// several hosts out of network namespaces. The `berth-source` condition makes workspace
// imports resolve to TypeScript sources, so tests never run against a stale build.
const root = fileURLToPath(new URL("..", import.meta.url));
const resolve = { conditions: ["berth-source"] };
// Tests run in vitest's server-side environment, which takes its own resolve conditions.
const ssr = { resolve: { conditions: ["berth-source"], externalConditions: ["berth-source"] } };
// Integration and cluster tests race real processes, links and timers on a shared machine: a
// test that fails is run once more before it counts. test/run.sh names every test that needed
// the second run (FLAKY), so a flake shows in the log instead of hiding; BERTH_TEST_RETRY=0
// turns retries off to hunt one.
const retry = Number(process.env.BERTH_TEST_RETRY ?? 1);

export default defineConfig({
  root,
  resolve,
  ssr,
  test: {
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: "unit",
          root,
          include: ["{shared,proto,controlplane,agent}/src/**/*.test.ts", "test/bench/**/*.test.ts", "controlplane/console/src/**/*.test.ts"],
          testTimeout: 10_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: "integration",
          root,
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          retry,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: "cluster",
          root,
          include: ["test/cluster/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          retry,
        },
      },
      {
        // Benchmarks: only `npm run bench` runs them (test/run.sh never names this project),
        // and the file skips itself unless BERTH_BENCH=1.
        resolve,
        ssr,
        test: {
          name: "bench",
          root,
          include: ["test/bench/run-all.ts"],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
