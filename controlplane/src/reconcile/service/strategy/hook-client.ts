import type { DeploymentRecord, HookStage, ServiceRecord, TrafficShiftRecord } from "@berth/shared";
import type { HookAnswer } from "./stages.js";

/**
 * berth's lifecycle hook target: where ECS invokes a Lambda function, berth POSTs the same
 * payload as JSON to the hook's hookTargetArn, an http(s) URL, and reads the same answer:
 * `{"hookStatus": "SUCCEEDED" | "FAILED" | "IN_PROGRESS", "callBackDelay"?: seconds,
 * "hookDetails"?: …}`. A non-2xx status, a timeout or a body without a valid hookStatus is an
 * error, which rolls the deployment back as a failed Lambda does on ECS.
 */

/** ECS's lifecycle hook payload (the Lambda event), as berth sends it. */
export interface HookPayload {
  executionDetails: {
    /** Per service revision ARN, the percent of test traffic it gets. */
    testTrafficWeights: Record<string, number>;
    /** Per service revision ARN, the percent of production traffic it gets. */
    productionTrafficWeights: Record<string, number>;
    serviceArn: string;
    targetServiceRevisionArn: string;
  };
  /** One id per hook run, the same on every IN_PROGRESS call again. */
  executionId: string;
  lifecycleStage: HookStage;
  /** The service deployment's ARN. */
  resourceArn: string;
  hookDetails?: unknown;
}

/** ECS's Lambda payload for a run of `shift`'s current hook (`configured`: the hook's own hookDetails). Pure. */
export function hookPayload(service: ServiceRecord, primary: DeploymentRecord, shift: TrafficShiftRecord, configured: unknown): HookPayload {
  const source = service.deployments.find((d) => d.id === shift.sourceDeploymentId);
  const green = primary.serviceRevisionArn ?? primary.id;
  const blue = source?.serviceRevisionArn ?? shift.sourceDeploymentId;
  // Percent of traffic per service revision, as ECS reports weights to its hooks.
  const weights = (percent: number) => ({ [green]: percent, [blue]: 100 - percent });
  return {
    executionDetails: {
      testTrafficWeights: weights(shift.testRouted ? 100 : 0),
      productionTrafficWeights: weights(shift.productionPercent),
      serviceArn: service.arn,
      targetServiceRevisionArn: green,
    },
    executionId: `${primary.id.slice(primary.id.indexOf("/") + 1)}-${shift.hook!.stage}-${shift.hook!.hookIndex}-${shift.hook!.step + 1}`,
    lifecycleStage: shift.hook!.stage,
    resourceArn: primary.serviceDeploymentArn ?? service.arn,
    // What the hook returned last time wins over what the service configured (ECS passes state so).
    ...((shift.hook!.hookDetails ?? configured) !== undefined && { hookDetails: shift.hook!.hookDetails ?? configured }),
  };
}

const statuses = new Set(["SUCCEEDED", "FAILED", "IN_PROGRESS"]);

/** Reads a hook's answer body. Pure. */
export function parseHookAnswer(body: string): HookAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: "the hook answered no JSON" };
  }
  const o = parsed as { hookStatus?: unknown; callBackDelay?: unknown; hookDetails?: unknown } | null;
  if (!o || typeof o !== "object" || typeof o.hookStatus !== "string" || !statuses.has(o.hookStatus)) {
    return { error: "the hook's answer has no hookStatus of SUCCEEDED, FAILED or IN_PROGRESS" };
  }
  return {
    hookStatus: o.hookStatus as "SUCCEEDED" | "FAILED" | "IN_PROGRESS",
    ...(typeof o.callBackDelay === "number" && o.callBackDelay >= 0 && { callBackDelay: o.callBackDelay }),
    ...(o.hookDetails !== undefined && { hookDetails: o.hookDetails }),
  };
}

/** POSTs `payload` to `url` and reads the answer, within `timeoutMs`. */
export async function callHookTarget(url: string, payload: HookPayload, timeoutMs: number): Promise<HookAnswer> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    if (!res.ok) return { error: `the hook answered HTTP ${res.status}` };
    return parseHookAnswer(body);
  } catch (err) {
    return { error: `the hook could not be reached: ${(err as Error).message}` };
  }
}
