import type { Command } from "commander";
import { targetFlags, withEcs } from "./client.js";
import { describeServices, listInstances, listTasks, nodeNameMap } from "./cluster-reads.js";
import { emptyFeed, formatEvent, newEvents, type EventFeedState } from "./event-feed.js";

/** How often `events -f` polls the API. */
const pollMs = 2000;

/**
 * Adds `events [-f] [--service NAME]`: service events and task state changes, read by polling
 * DescribeServices and DescribeTasks (only the API is needed), each printed once, timestamped.
 */
export function registerEventsCommand(program: Command): void {
  targetFlags(
    program
      .command("events")
      .description("service events and task state changes; -f follows until Ctrl-C")
      .option("--service <name>", "only this service")
      .option("-f, --follow", "keep printing new events as they happen", false),
  ).action((o: { service?: string; follow: boolean; endpoint: string; cluster: string }) =>
    withEcs(o, async (ecs, target) => {
      let state: EventFeedState = emptyFeed;
      let stop = false;
      let wake = () => {};
      // Ctrl-C ends the wait between polls at once; a poll in flight finishes first.
      const onSignal = () => {
        stop = true;
        wake();
      };
      process.once("SIGINT", onSignal);
      try {
        for (;;) {
          const services = await describeServices(ecs, target.cluster, o.service);
          // A service's tasks, or the whole cluster's (standalone tasks too) without --service.
          const [tasks, instances] = await Promise.all([listTasks(ecs, target.cluster, { service: o.service, stopped: true }), listInstances(ecs, target.cluster)]);
          const next = newEvents(state, services, tasks, nodeNameMap(instances));
          for (const e of next.events) process.stdout.write(`${formatEvent(e)}\n`);
          state = next.state;
          if (!o.follow || stop) return;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (stop) return;
        }
      } finally {
        process.off("SIGINT", onSignal);
      }
    }),
  );
}
