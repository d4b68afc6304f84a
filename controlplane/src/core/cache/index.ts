/** A replica's watched cache of tasks and instances, and the core reads it serves. */
export { StateCache, readYourWritesWaitMs, type CachedKind, type CacheStats } from "./state-cache.js";
export { PrefixCache, type CachedItem, type CacheObserver } from "./prefix-cache.js";
export { readTasks, readInstances, readTask, readInstance, readInstanceTasks, instanceTasksIn, scanTasks, scanInstances, type CachedReadOptions } from "./reads.js";
export { RouteTables, type RouteTable } from "./route-tables.js";
