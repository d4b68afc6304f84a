/** Temporary credentials for a task's role: issued on dispatch, verified by SigV4 (see docs/TASK-METADATA.md). */
export { issueTaskCredentials, taskCredentialSecret, type IssuedCredentials, type CredentialTask } from "./issue.js";
export { credentialsDue, judgeCredential, taskCredentialsValidityMs, type CredentialClaims, type CredentialVerdict } from "./rules.js";
