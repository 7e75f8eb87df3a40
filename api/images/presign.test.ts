import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl, S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ObjectPresigner, type SigningCredentials } from "./presign.ts";

const now = new Date("2025-03-04T05:06:07.890Z");
const credentials: SigningCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG",
};
const keys = [
  "team-a/holiday/2024/abc123-photo.jpg",
  "ns/x/Ünïcödé folder/id-a b+c&d=e!'()*.png",
  "k/~tilde_ok.-",
];

// The SDK's own presigner over the request the S3 client would send: the reference signature.
class NodeSha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash =
      secret === undefined
        ? createHash("sha256")
        : createHmac("sha256", typeof secret === "string" ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(typeof data === "string" ? data : Buffer.from(data as ArrayBuffer));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

async function sdkPresigned(
  endpoint: URL,
  path: string,
  creds: SigningCredentials,
  region = "us-east-1",
): Promise<URL> {
  const presigner = new S3RequestPresigner({ credentials: creds, region, sha256: NodeSha256 });
  const signed = await presigner.presign(
    {
      method: "GET",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === "" ? {} : { port: Number(endpoint.port) }),
      path,
      query: {},
      headers: { host: endpoint.host },
    },
    { expiresIn: 300, signingDate: now },
  );
  const url = new URL(`${endpoint.protocol}//${endpoint.host}${path}`);
  for (const [name, value] of Object.entries(signed.query ?? {})) url.searchParams.set(name, String(value));
  return url;
}

describe("ObjectPresigner", () => {
  it("signs path-style URLs exactly as the AWS SDK does", async () => {
    const presigner = new ObjectPresigner({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      forcePathStyle: true,
    });
    for (const key of keys) {
      const ours = new URL(presigner.signer(credentials, 300, now)("imagesync", key));
      const sdk = await sdkPresigned(new URL("http://127.0.0.1:9000"), ours.pathname, credentials);
      expect(ours.searchParams.get("X-Amz-Signature")).toBe(sdk.searchParams.get("X-Amz-Signature"));
      expect(ours.searchParams.get("X-Amz-Expires")).toBe("300");
    }
  });

  it("signs a session token into the URL", async () => {
    const temporary = { ...credentials, sessionToken: "FwoGZXIvYXdzE/+token==" };
    const presigner = new ObjectPresigner({
      endpoint: undefined,
      region: "eu-west-1",
      forcePathStyle: false,
    });
    const ours = new URL(presigner.signer(temporary, 300, now)("photos", keys[0] ?? ""));
    expect(ours.host).toBe("photos.s3.eu-west-1.amazonaws.com");
    const sdk = await sdkPresigned(new URL(`https://${ours.host}`), ours.pathname, temporary, "eu-west-1");
    expect(ours.searchParams.get("X-Amz-Security-Token")).toBe(temporary.sessionToken);
    expect(ours.searchParams.get("X-Amz-Signature")).toBe(sdk.searchParams.get("X-Amz-Signature"));
  });

  it("encodes keys the way the S3 client puts them on the wire", async () => {
    const client = new S3Client({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      forcePathStyle: true,
      credentials,
    });
    const presigner = new ObjectPresigner({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      forcePathStyle: true,
    });
    for (const key of keys) {
      const sdk = new URL(
        await getSignedUrl(client, new GetObjectCommand({ Bucket: "imagesync", Key: key })),
      );
      expect(new URL(presigner.signer(credentials, 300, now)("imagesync", key)).pathname).toBe(sdk.pathname);
    }
  });

  it("signs alike within a second and anew for another second, lifetime or credentials", () => {
    const presigner = new ObjectPresigner({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      forcePathStyle: true,
    });
    const url = (at: Date, ttl = 300, creds = credentials) =>
      new URL(presigner.signer(creds, ttl, at)("imagesync", keys[0] ?? ""));
    const first = url(now);
    const sameSecond = url(new Date(now.getTime() + 100));
    const nextSecond = url(new Date(now.getTime() + 1000));
    const longer = url(now, 600);
    const rotated = url(now, 300, { ...credentials, accessKeyId: "AKIDOTHER" });

    expect(sameSecond.href).toBe(first.href);
    expect(first.searchParams.get("X-Amz-Date")).toBe("20250304T050607Z");
    expect(nextSecond.searchParams.get("X-Amz-Date")).toBe("20250304T050608Z");
    expect(longer.searchParams.get("X-Amz-Expires")).toBe("600");
    expect(rotated.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDOTHER\//);
    expect(url(now).href).toBe(first.href);
  });
});
