import { ECSClient } from "@aws-sdk/client-ecs";
import type { Command } from "commander";

/** Where an operator command points: a berth endpoint and a cluster on it. */
export interface OpsTarget {
  endpoint: string;
  cluster: string;
}

/** The default endpoint: what `berth up` serves. */
export const defaultEndpoint = "http://127.0.0.1:7070";

/**
 * An operator error: printed as `berth: <message>` with exit code 1 by main's catch, never as a
 * stack. Unknown nodes and services throw it with the known names in the message.
 */
export class OpsError extends Error {
  override readonly name = "OpsError";
}

/** Adds `--endpoint` and `--cluster` (flag > env > default) to an operator command. */
export function targetFlags(cmd: Command): Command {
  return cmd
    .option("--endpoint <url>", "berth ECS API endpoint (env BERTH_ENDPOINT)", process.env.BERTH_ENDPOINT ?? defaultEndpoint)
    .option("--cluster <name>", "cluster (env ECS_CLUSTER)", process.env.ECS_CLUSTER ?? "default");
}

/** The target an operator command's parsed options name. */
export function targetOf(o: { endpoint?: string; cluster?: string }): OpsTarget {
  return { endpoint: (o.endpoint ?? defaultEndpoint).replace(/\/+$/, ""), cluster: o.cluster ?? "default" };
}

/**
 * An ECS client for the target. Credentials come from the usual AWS chain when set (a berth
 * with access keys verifies SigV4); otherwise dummy ones, which a berth without keys accepts.
 */
export function ecsClientFor(target: OpsTarget): ECSClient {
  const env = process.env;
  // berth pins the SDK (LIBRARIES.md); its warning about releases that will need Node 22 says
  // nothing to an operator and would print on every command.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const fromEnv = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  return new ECSClient({
    endpoint: target.endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    credentials: fromEnv
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, sessionToken: env.AWS_SESSION_TOKEN }
      : { accessKeyId: "berth", secretAccessKey: "berth" },
    maxAttempts: 2,
  });
}

/** Splits a list into pieces of at most `size` (ECS Describe* calls take 100 ids at most). */
export function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `work` with an ECS client for the target and closes it after. The errors an operator
 * meets first get a sentence saying what to do: no berth at the endpoint, or no such cluster.
 */
export async function withEcs<T>(o: { endpoint?: string; cluster?: string }, work: (ecs: ECSClient, target: OpsTarget) => Promise<T>): Promise<T> {
  const target = targetOf(o);
  const ecs = ecsClientFor(target);
  try {
    return await work(ecs, target);
  } catch (err) {
    throw explainError(err, target);
  } finally {
    ecs.destroy();
  }
}

/** An SDK or network error in words for the operator; others as they are. */
export function explainError(err: unknown, target: OpsTarget): unknown {
  const e = err as { name?: string; code?: string; cause?: { code?: string }; message?: string };
  const code = e?.code ?? e?.cause?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ETIMEDOUT") {
    return new OpsError(`cannot reach berth at ${target.endpoint} (${code}); is it running? Point --endpoint or BERTH_ENDPOINT at its API`);
  }
  if (e?.name === "ClusterNotFoundException") {
    return new OpsError(`cluster '${target.cluster}' does not exist at ${target.endpoint}; name it with --cluster or ECS_CLUSTER`);
  }
  return err;
}
