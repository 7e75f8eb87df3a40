/** Drive-shaped identifiers: 33-character file ids and "0-…" resource keys, from a seeded sequence. */
import { hashString, seededUint32 } from "./random.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export interface IdSource {
  /** A new file or folder id like Drive's: "1" then 32 characters of [A-Za-z0-9_-]. */
  fileId(): string;
  /** A new resource key like Drive's: "0-" then 22 characters. */
  resourceKey(): string;
}

/** Ids drawn from a seed: the same seed and the same calls give the same ids. */
export function createIdSource(seed: string): IdSource {
  const next = seededUint32(hashString(seed));
  const chars = (count: number): string => {
    // One flat string: appending char by char would leave a chain of cons strings (~1 KB per id).
    const codes = new Array<number>(count);
    for (let i = 0; i < count; i++) codes[i] = ALPHABET.charCodeAt(next() & 63);
    return String.fromCharCode(...codes);
  };
  return { fileId: () => "1" + chars(32), resourceKey: () => "0-" + chars(22) };
}
