import { ResourceAlreadyExistsException } from "@berth/shared";
import type { LogGroupRegistry } from "../../../core/index.js";
import type { LogStore } from "../../../logstore/index.js";

/**
 * Makes in this replica's store a group that etcd records but the store lacks (it was created
 * through another replica), with its retention, so lines for it are taken here too. A group no
 * one recorded is left missing: the caller's own "does not exist" follows.
 */
export async function ensureLocalGroup(store: LogStore, registry: LogGroupRegistry | undefined, name: string): Promise<void> {
  if (!registry || store.listGroups().some((g) => g.name === name)) return;
  const rec = await registry.get(name);
  if (!rec) return;
  await store.createGroup(name).catch((err: unknown) => {
    // Made meanwhile by a write of its own: just as good.
    if (!(err instanceof ResourceAlreadyExistsException)) throw err;
  });
  if (rec.retentionInDays !== undefined) await store.setRetention(name, rec.retentionInDays);
}
