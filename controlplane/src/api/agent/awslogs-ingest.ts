import { BerthError, type Logger } from "@berth/shared";
import type { AwslogsAck, AwslogsBatch } from "@berth/proto";
import type { LogGroupRegistry } from "../../core/index.js";
import type { LogStore } from "../../logstore/index.js";
import { ensureLocalGroup } from "../logs/actions/ensure-group.js";

/** Stores one agent batch of awslogs lines and says how it went. */
export type AwslogsIngest = (batch: AwslogsBatch) => Promise<AwslogsAck>;

/**
 * The session's awslogs handler: a batch goes into its stream (created as the awslogs driver
 * does; the group only with awslogs-create-group), deduplicated by the container's line numbers.
 * A refusal (the group is missing) is acked with Logs' error so the agent keeps the lines and
 * retries later; an unexpected failure is acked as ServiceUnavailableException, retried too.
 */
export function awslogsIngest(store: LogStore, log: Logger, registry?: LogGroupRegistry): AwslogsIngest {
  return async (batch) => {
    try {
      // A group created through another replica is made here too; one the driver creates is
      // recorded for every replica (awslogs-create-group).
      await ensureLocalGroup(store, registry, batch.logGroup);
      if (batch.createGroup && registry && !store.listGroups().some((g) => g.name === batch.logGroup)) await registry.create({ name: batch.logGroup, createdMs: Date.now() });
      await store.append(
        batch.logGroup,
        batch.logStream,
        batch.events.map((e) => ({ timestamp: Number(e.timestampMs), message: e.message, sourceSeq: Number(e.line) })),
        { createGroup: batch.createGroup, createStream: true, source: batch.runtimeId },
      );
      return { batchId: batch.batchId, errorType: "", error: "" };
    } catch (err) {
      if (err instanceof BerthError && err.httpStatus < 500) return { batchId: batch.batchId, errorType: err.ecsType, error: err.message };
      log.error("awslogs batch not stored", { taskArn: batch.taskArn, container: batch.containerName, err });
      return { batchId: batch.batchId, errorType: "ServiceUnavailableException", error: "the log store could not store the batch" };
    }
  };
}
