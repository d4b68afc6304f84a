// The Secrets Manager and Parameter Store records berth stores (core/secrets re-exports them): a
// secret holds its versions and a parameter its history, so each change is one guarded write
// of one key. Values are never here in plaintext: `sealed` is AES-256-GCM under the secrets key.

/** One version of a secret: its value sealed with the secret's ARN and this id bound in. */
export interface SecretVersionRecord {
  id: string;
  stages: string[];
  createdMs: number;
  sealed: string;
  /** SecretBinary (bytes) rather than SecretString. */
  binary: boolean;
}

/** A Secrets Manager secret, under its name. */
export interface SecretRecord {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  createdMs: number;
  lastChangedMs: number;
  /** Day-rounded, as AWS reports it. */
  lastAccessedMs?: number;
  /** Set while the secret is scheduled for deletion. */
  deletedMs?: number;
  /** When a scheduled deletion removes it for good. */
  deletionDueMs?: number;
  /** Oldest first. */
  versions: SecretVersionRecord[];
}

/** One version of a parameter; a SecureString's value is sealed, the others' kept as given. */
export interface ParameterVersionRecord {
  version: number;
  type: "String" | "StringList" | "SecureString";
  value?: string;
  sealed?: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  labels: string[];
  modifiedMs: number;
}

/** An SSM parameter, under its name; the last version is the current one. */
export interface ParameterRecord {
  name: string;
  tier: "Standard" | "Advanced" | "Intelligent-Tiering";
  dataType: string;
  tags: { Key: string; Value: string }[];
  /** Oldest first, at most 100. */
  versions: ParameterVersionRecord[];
}
