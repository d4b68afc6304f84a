import type { AgentMessage, ControlMessage } from "@berth/proto";
import type { TaskStatsWindows } from "../../core/task-stats.js";
import type { AwslogsIngest } from "./awslogs-ingest.js";
import { SessionExecRequests } from "./exec-relay.js";
import { SessionLogRequests } from "./log-relay.js";
import { SessionStatsIngest } from "./stats-ingest.js";

type AgentKind = NonNullable<AgentMessage["kind"]>;

/**
 * A session's traffic that touches no stored task state: relayed log reads and execs, awslogs
 * batches bound for the log store, container stats. It bypasses the session's state queue on
 * purpose: an operator's terminal or a log tail must not wait behind task writes, and none of
 * it needs their order.
 */
export class SessionSideChannels {
  /** Log requests relayed to this agent. */
  readonly logs: SessionLogRequests;
  /** Execs relayed to this agent. */
  readonly execs: SessionExecRequests;
  /** Container stats filed in this replica's windows. */
  readonly stats: SessionStatsIngest;

  constructor(
    private readonly write: (msg: ControlMessage) => void,
    private readonly awslogs: AwslogsIngest | undefined,
    taskStats: TaskStatsWindows | undefined,
    now: () => number,
  ) {
    this.logs = new SessionLogRequests(write);
    this.execs = new SessionExecRequests(write);
    this.stats = new SessionStatsIngest(taskStats, now);
  }

  /** Ends every relayed log read and exec, telling their clients `why`. */
  closeAll(why: string): void {
    this.logs.closeAll(why);
    this.execs.closeAll(why);
  }

  /** Handles `kind` when it is side-channel traffic; false when it is the session's own. */
  handle(kind: AgentKind): boolean {
    switch (kind.$case) {
      case "logChunk":
        this.logs.onChunk(kind.value);
        return true;
      case "logEnd":
        this.logs.onEnd(kind.value);
        return true;
      case "execStarted":
        this.execs.onStarted(kind.value);
        return true;
      case "execOutput":
        this.execs.onOutput(kind.value);
        return true;
      case "execInputCredit":
        this.execs.onInputCredit(kind.value);
        return true;
      case "execExit":
        this.execs.onExit(kind.value);
        return true;
      // awslogs lines go to the log store; the ack says stored or refused.
      case "awslogsBatch": {
        const batchId = kind.value.batchId;
        if (!this.awslogs) {
          this.write({ kind: { $case: "awslogsAck", value: { batchId, errorType: "ServiceUnavailableException", error: "this control plane keeps no log store" } } });
          return true;
        }
        void this.awslogs(kind.value).then((ack) => this.write({ kind: { $case: "awslogsAck", value: ack } }));
        return true;
      }
      case "taskStats":
        this.stats.file(kind.value);
        return true;
      default:
        return false;
    }
  }
}
