/**
 * The join token's text form, read by the control plane (which makes and checks tokens) and the
 * agent (which pins the CA by the digest in it): `BRTHTKN-1-<CA digest>-<id>-<secret>`, like
 * Swarm's `SWMTKN-1-<digest>-<secret>`. The digest is sha256 of the cluster CA certificate's DER.
 */
const prefix = "BRTHTKN-1";
const shape = /^BRTHTKN-1-([0-9a-f]{64})-([0-9a-f]{10})-([0-9a-f]{40})$/;

/** A token's parts. */
export interface JoinToken {
  caDigest: string;
  id: string;
  secret: string;
}

/** The token's text form. */
export function formatToken(t: JoinToken): string {
  return `${prefix}-${t.caDigest}-${t.id}-${t.secret}`;
}

/** Parses a token; a malformed one throws an error saying what a token looks like. */
export function parseToken(text: string): JoinToken {
  const m = shape.exec(text.trim());
  if (!m) throw new Error(`malformed join token: expected ${prefix}-<64 hex CA digest>-<10 hex id>-<40 hex secret> (from 'berth token create')`);
  return { caDigest: m[1], id: m[2], secret: m[3] };
}
