/** The cluster CA and agent join tokens (see README "Joining agents"). */
export { createJoinToken, listJoinTokens, revokeJoinToken, getJoinToken, readCaCertificate, ensureCa, loadCaKey, loadKeyFile } from "./cluster-ca.js";
export { seal, unseal } from "./seal.js";
export { pemDigest, type Ca, type StoredCa } from "./ca.js";
export { parseTtl, type StoredJoinToken } from "./tokens.js";
export { serverName } from "./issue.js";
