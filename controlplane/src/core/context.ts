import type { ArnScope, Logger } from "@berth/shared";
import type { Store } from "../store/index.js";
import type { Vault } from "./secrets/vault.js";

/** What every core operation needs: the store, the ARN scope, a clock, a logger. */
export interface CoreContext {
  store: Store;
  scope: ArnScope;
  log: Logger;
  now: () => number;
  /** Seals Secrets Manager values and SecureStrings; absent where no secrets key is loaded. */
  vault?: Vault;
}
