/**
 * A map that keeps at most `capacity` entries, evicting the oldest insert first, so caches stay bounded
 * however big the tree. (Insertion order rather than recency: a hit costs one lookup, nothing more.)
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The cached value for `key`, computing and caching it when absent. */
  get(key: K, compute: (key: K) => V): V {
    if (this.#entries.has(key)) return this.#entries.get(key) as V;
    const value = compute(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as K);
    return value;
  }
}
