import type { ArnScope, Logger } from "@berth/shared";
import type { Store } from "../store/index.js";
import type { Vault } from "./secrets/vault.js";
import type { StateCache } from "./cache/state-cache.js";
import type { PlacementBatching } from "./placement/batching.js";

/** What every core operation needs: the store, the ARN scope, a clock, a logger. */
export interface CoreContext {
  store: Store;
  scope: ArnScope;
  log: Logger;
  now: () => number;
  /** Seals Secrets Manager values and SecureStrings; absent where no secrets key is loaded. */
  vault?: Vault;
  /**
   * The replica's watched cache of tasks and instances; reads in core are served from it when
   * present (see cache/reads.ts), from etcd when absent.
   */
  cache?: StateCache;
  /** Concurrent placements are batched (placement/queue.ts) when set; placed one call at a time otherwise. */
  batchPlacements?: PlacementBatching;
}
