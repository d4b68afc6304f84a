export { LogStore, type LogGroupMeta, type LogStoreObserver, type LogStoreOptions, type LogStreamView } from "./log-store.js";
export type { StoredEvent } from "./segments.js";
export { acceptLogEvents, type InputLogEvent, type RejectedLogEventsInfo } from "./put-events.js";
export { matchesFilterPattern, parseFilterPattern, type FilterPattern } from "./filter-pattern.js";
export { compareFilterPositions, compareStreamPositions, decodeFilterToken, decodeStreamToken, encodeFilterToken, encodeStreamToken } from "./tokens.js";
export { encodeName } from "./names.js";
export { pageMerged, pageStream, type StreamPage } from "./paging.js";
