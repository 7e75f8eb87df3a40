import { describe, expect, it } from "vitest";
import { FakeClock } from "../lib/controller-runtime/testing.ts";
import type { ImportCredentials } from "../lib/queue/index.ts";
import { ApiKeys, type CredentialsSource } from "./api-keys.ts";
import { MissingApiKeyError } from "./errors.ts";

/** A credentials store in memory that counts look-ups. */
class MemoryCredentials implements CredentialsSource {
  readonly keys = new Map<string, string>();
  lookups = 0;

  get(importUid: string): Promise<ImportCredentials | undefined> {
    this.lookups++;
    const driveApiKey = this.keys.get(importUid);
    return Promise.resolve(driveApiKey === undefined ? undefined : { driveApiKey });
  }
}

describe("ApiKeys", () => {
  it("uses the import's own key, looked up once per TTL however many files ask", async () => {
    const source = new MemoryCredentials();
    source.keys.set("import-a", "key-a");
    const clock = new FakeClock();
    const keys = new ApiKeys(source, "default-key", clock, 30_000);
    expect(await Promise.all([keys.forImport("import-a"), keys.forImport("import-a")])).toEqual([
      "key-a",
      "key-a",
    ]);
    expect(source.lookups).toBe(1);

    source.keys.set("import-a", "key-a-rotated");
    await clock.advance(30_000);
    expect(await keys.forImport("import-a")).toBe("key-a-rotated");
    expect(source.lookups).toBe(2);
  });

  it("falls back to the worker's default key, and asks again next time", async () => {
    const source = new MemoryCredentials();
    const keys = new ApiKeys(source, "default-key", new FakeClock());
    expect(await keys.forImport("import-b")).toBe("default-key");
    source.keys.set("import-b", "key-b");
    expect(await keys.forImport("import-b")).toBe("key-b");
  });

  it("says what is missing when there is no key at all", async () => {
    const keys = new ApiKeys(new MemoryCredentials(), undefined, new FakeClock());
    await expect(keys.forImport("import-c")).rejects.toThrow(MissingApiKeyError);
    await expect(keys.forImport("import-c")).rejects.toThrow(/DRIVE_API_KEY is not set/);
  });
});
