/**
 * Seeded, order-independent randomness. Every random choice placement makes is a hash of the
 * request seed and the names involved, so a replay with the same seed gives the same answer
 * however the instance list happens to be ordered (nomad seeds its node shuffle from the
 * evaluation id for the same reason).
 */

/** A 32-bit hash of `parts` (FNV-1a over UTF-16 code units, then murmur3's finaliser to spread the bits). */
export function hash32(...parts: string[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    // A separator so ("ab","c") and ("a","bc") hash apart.
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by `parts`. */
export function unitHash(...parts: string[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/**
 * A small seeded generator (mulberry32) for callers that need a stream rather than a keyed
 * value, such as property tests building random clusters.
 */
export function seededRandom(seed: string): () => number {
  let state = hash32(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
