/** How a replica batches placements (see placement/queue.ts). */
export interface PlacementBatching {
  /** How long the first request of an idle queue waits for others to join it, ms. */
  windowMs: number;
  /** Tasks one batch places at most; the rest wait for the next. */
  maxTasks: number;
}

/** The defaults: a few ms of waiting buys batches of hundreds under load and costs little idle. */
export const defaultPlacementBatching: PlacementBatching = { windowMs: 3, maxTasks: 2_000 };
