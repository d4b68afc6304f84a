/** The etcd store: typed keys, revision-guarded writes, one collection per kind. */
export { keys, lastSegment, clusterScoped } from "./keys.js";
export { Kv, Txn, maxTxnOps, maxStagedOps, FencedOutError, type Fence, type Versioned, type Listing } from "./kv.js";
export { Collection } from "./collection.js";
export { Store, type FamilyRecord, type RunTokenRecord } from "./store.js";
export { watchPrefix, type WatchHandlers, type PrefixWatch } from "./watch.js";
