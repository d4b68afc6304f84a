/** The etcd store: typed keys, revision-guarded writes, one collection per kind. */
export { keys, lastSegment, clusterScoped } from "./keys.js";
export { Kv, Txn, maxTxnOps, maxStagedOps, rangePageSize, maxReceiveBytes, FencedOutError, type Fence, type Versioned, type Listing, type Page, type PageQuery } from "./kv.js";
export { Collection, defaultScanBudget, type ScanQuery, type ScanPage } from "./collection.js";
export { Store, type FamilyRecord, type AccountSettingRecord, type RunTokenRecord, type SubnetRecord, type IngressRuleRecord, type SecurityGroupRecord, type VpcSubnetsGuardRecord, type SecurityGroupNameRecord, type IpBlockRecord, type SecurityGroupsGuardRecord } from "./store.js";
export { watchPrefix, type WatchHandlers, type PrefixWatch } from "./watch.js";
export { SharedFeeds, HandlerGroups, type SharedFeed, type FeedSubscription } from "./shared-feeds.js";
export { migrateTaskDefinitionKeys } from "./migrations.js";
export { etcdClientOptions } from "./etcd-tls.js";
export type * from "./elbv2-records.js";
export type * from "./autoscaling-records.js";
export type * from "./secret-records.js";
export type * from "./schedule-records.js";
export type * from "./alarm-records.js";
