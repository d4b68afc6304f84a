import type { Logger } from "@berth/shared";
import type { ControlMessage } from "@berth/proto";
import { hostRoutesOf, readInstanceTasks, type CoreContext } from "../../core/index.js";
import type { TaskSpecBuilder } from "./task-spec.js";

/**
 * What a session keeps its agent told of the network, re-read each heartbeat period: the routes
 * to the cluster peers' task blocks (they change as blocks are handed out and hosts go) and each
 * live awsvpc task's ingress (source groups' members change as tasks start and stop). Each is
 * sent once per session, then only when it changed.
 */
export class NetworkSync {
  private routesSent?: string;
  /** The stamp of the routes last computed: while core says it is current, nothing is planned. */
  private routesStamp?: number;
  private ingressSent = new Map<string, string>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly specs: TaskSpecBuilder,
    private readonly write: (msg: ControlMessage) => void,
    private readonly log: Logger,
  ) {}

  /** Sends what changed since the last call for the instance `instanceId` of `cluster`. */
  async sync(cluster: string, instanceId: string): Promise<void> {
    const { stamp, routes } = await hostRoutesOf(this.ctx, cluster, instanceId, this.routesStamp);
    this.routesStamp = stamp;
    if (routes) {
      const fingerprint = JSON.stringify(routes);
      if (fingerprint !== this.routesSent) {
        this.routesSent = fingerprint;
        this.write({ kind: { $case: "hostRoutes", value: { routes } } });
        this.log.debug("host routes sent", { routes: routes.length });
      }
    }
    // Only this instance's tasks: every session asks every period, so not a pass over the cluster.
    const live = (await readInstanceTasks(this.ctx, cluster, instanceId)).filter((t) => t.network && !t.released && t.lastStatus !== "STOPPED");
    // An instance with no awsvpc task (most, in most clusters) has no ingress to keep.
    if (live.length === 0 && this.ingressSent.size === 0) return;
    this.specs.fresh();
    const next = new Map<string, string>();
    for (const t of live) {
      const ingress = await this.specs.ingressOf(t, { asIs: true });
      const fp = JSON.stringify(ingress);
      next.set(t.id, fp);
      if (this.ingressSent.get(t.id) === fp) continue;
      this.write({ kind: { $case: "taskIngress", value: { taskArn: t.arn, ingress } } });
      this.log.debug("task ingress sent", { taskArn: t.arn, rules: ingress.length });
    }
    this.ingressSent = next;
  }
}
