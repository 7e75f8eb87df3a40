/** Seeded pseudo-randomness, so generated trees, filler bytes and probabilistic faults replay exactly. */

/** A generator of uint32 values (mulberry32): the same seed always yields the same sequence. */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A generator of floats in [0, 1) from a seed. */
export function seededFloat(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 4_294_967_296;
}

/** FNV-1a hash of a string: a cheap, stable 32-bit seed from a name. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
