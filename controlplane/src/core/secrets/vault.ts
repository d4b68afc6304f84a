import { seal, unseal } from "../../pki/seal.js";
import { ServerException } from "@berth/shared";

/**
 * Seals and opens secret values under the installation's secrets key (BERTH_SECRETS_KEY_FILE or
 * BERTH_SECRETS_KEY), with the sealing the CA key uses (pki/seal.ts). Each value is bound to
 * where it lives (`aad`: a secret's ARN and version id, a parameter's name and version), so a
 * sealed value moved to another record in etcd does not open.
 */
export class Vault {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error(`the secrets key must be 32 bytes, it is ${key.length}`);
  }

  /** The sealed text of `value` for the record named by `aad`. */
  seal(value: Buffer, aad: string): string {
    return seal(value, this.key, Buffer.from(aad));
  }

  /** Opens a value sealed for `aad`; a wrong key is the operator's problem, reported as a server error. */
  open(sealed: string, aad: string): Buffer {
    try {
      return unseal(sealed, this.key, "a stored secret value", Buffer.from(aad));
    } catch (err) {
      throw new ServerException(`a stored secret value cannot be opened with this control plane's secrets key`, { cause: err });
    }
  }

  /**
   * Opens a value sealed for `aad`, or undefined when it does not open: for sealed text a caller
   * presents (a task's session token), where altered text is the caller's mistake, not ours.
   */
  tryOpen(sealed: string, aad: string): Buffer | undefined {
    try {
      return unseal(sealed, this.key, "a presented sealed value", Buffer.from(aad));
    } catch {
      return undefined;
    }
  }
}
