import type { ArnScope, Logger } from "@berth/shared";
import type { Store } from "../store/index.js";

/** What every core operation needs: the store, the ARN scope, a clock, a logger. */
export interface CoreContext {
  store: Store;
  scope: ArnScope;
  log: Logger;
  now: () => number;
}
