import type { TaskDefinitionRecord } from "@berth/shared";
import { ConflictError } from "@berth/shared";
import { keys } from "./keys.js";
import { rangePageSize, Txn, type Kv } from "./kv.js";

/**
 * Moves task definitions written in the first key layout (`taskdefs/{family}/{revision}`) to
 * `task-definitions/{family}!{revision}` (keys.ts says why). Run by every replica before it
 * serves: each key moves in one transaction guarded on the old key's revision and the new key's
 * absence, so replicas starting together, or a start cut off half-way, move each record exactly
 * once and lose none. Returns how many this call moved.
 */
export async function migrateTaskDefinitionKeys(kv: Kv): Promise<number> {
  let moved = 0;
  for (;;) {
    const page = await kv.page<TaskDefinitionRecord>(keys.legacyTaskDefinitions(), { limit: rangePageSize });
    if (page.items.length === 0) return moved;
    for (const item of page.items) {
      const txn = new Txn();
      const to = keys.taskDefinition(item.value.family, item.value.revision);
      txn.expect(item.key, item.modRevision).expectAbsent(to).put(to, item.value).delete(item.key);
      try {
        await kv.commit(txn);
        moved++;
      } catch (err) {
        // Another replica moved it (or it changed): the next page reads what is left.
        if (!(err instanceof ConflictError)) throw err;
        const there = await kv.get(to);
        const still = await kv.get(item.key);
        // Both present means an old-layout write landed after a move: the moved copy wins.
        if (there && still) {
          const drop = new Txn().expect(item.key, still.modRevision).delete(item.key);
          await kv.commit(drop).catch((e) => {
            if (!(e instanceof ConflictError)) throw e;
          });
        }
      }
    }
  }
}
