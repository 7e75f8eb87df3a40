import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PrefixedHmac } from "./prefixed-hmac.ts";

describe("PrefixedHmac", () => {
  it("computes createHmac's HMAC-SHA256 of the prefix and each suffix", () => {
    for (const keyLength of [1, 32, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      for (const prefix of [
        "",
        "AWS4-HMAC-SHA256\n20250304T050607Z\n20250304/us-east-1/s3/aws4_request\n",
        "ré/gion ✓\n",
      ]) {
        const hmac = new PrefixedHmac(key, prefix, 64);
        for (let n = 0; n < 3; n++) {
          const suffix = randomBytes(32).toString("hex");
          expect(hmac.hexDigest(suffix)).toBe(
            createHmac("sha256", key)
              .update(prefix + suffix)
              .digest("hex"),
          );
        }
      }
    }
  });

  it("refuses a suffix of another length", () => {
    const key = randomBytes(32);
    const hmac = new PrefixedHmac(key, "head\n", 4);
    expect(hmac.hexDigest("abcd")).toBe(createHmac("sha256", key).update("head\nabcd").digest("hex"));
    expect(() => hmac.hexDigest("abc")).toThrow("4 characters");
    expect(() => hmac.hexDigest("abcde")).toThrow("4 characters");
  });
});
