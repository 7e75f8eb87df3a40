import { createHmac, hash } from "node:crypto";
import { PrefixedHmac } from "./prefixed-hmac.ts";

/** The credentials one presigned URL is signed with (a session token when they are temporary). */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignerSettings {
  /** The S3 server's URL; undefined for AWS S3 itself. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

/** Presigns GET URLs for any object, all with the same credentials, signing time and lifetime. */
export type GetUrlSigner = (bucket: string, key: string) => string;

// RFC 3986 unreserved characters stay, everything else is percent-encoded, as SigV4 requires.
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Keys made of unreserved characters and slashes (what workers write for most files) need no encoding.
const plainKey = /^[A-Za-z0-9\-._~/]*$/;

function encodeKey(key: string): string {
  return plainKey.test(key) ? key : key.split("/").map(uriEncode).join("/");
}

const virtualHostBucket = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Where one bucket's objects are addressed: `${origin}${pathPrefix}${encoded key}`, signed for `host`. */
interface BucketAddress {
  origin: string;
  host: string;
  pathPrefix: string;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function sameCredentials(a: SigningCredentials, b: SigningCredentials): boolean {
  return (
    a.accessKeyId === b.accessKeyId &&
    a.secretAccessKey === b.secretAccessKey &&
    a.sessionToken === b.sessionToken
  );
}

function amzDate(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Presigns S3 GetObject URLs with Signature V4 in query-string form. The SDK's getSignedUrl costs about
 * half a millisecond per URL (its middleware stack runs for each), which is most of a 50-image page's
 * time budget; this does the same signing (checked against the SDK's presigner in presign.test.ts) in
 * a few microseconds: the day's signing key is derived once, each bucket's address is worked out once,
 * and everything but the object's path is shared by the URLs of one second, so each URL costs three
 * one-shot SHA-256s (its canonical request, and the HMAC's two; see PrefixedHmac).
 */
export class ObjectPresigner {
  readonly #settings: PresignerSettings;
  readonly #base: URL;
  readonly #basePath: string;
  readonly #buckets = new Map<string, BucketAddress>();
  #signingKey: { scope: string; secret: string; key: Buffer } | undefined;
  #latest:
    | { second: number; credentials: SigningCredentials; expiresInSeconds: number; sign: GetUrlSigner }
    | undefined;

  constructor(settings: PresignerSettings) {
    this.#settings = settings;
    this.#base = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
    this.#basePath = this.#base.pathname.replace(/\/+$/, "");
  }

  /** A signer for URLs valid from `now` for `expiresInSeconds`. */
  signer(credentials: SigningCredentials, expiresInSeconds: number, now: Date): GetUrlSigner {
    // Signing times have whole seconds, so every response within one second can share a signer (its
    // query string and canonical request tail are the same); building one cost as much as a page's URL.
    const second = Math.floor(now.getTime() / 1000);
    const latest = this.#latest;
    if (
      latest !== undefined &&
      latest.second === second &&
      latest.expiresInSeconds === expiresInSeconds &&
      sameCredentials(latest.credentials, credentials)
    )
      return latest.sign;
    const sign = this.#newSigner(credentials, expiresInSeconds, now);
    this.#latest = { second, credentials, expiresInSeconds, sign };
    return sign;
  }

  #newSigner(credentials: SigningCredentials, expiresInSeconds: number, now: Date): GetUrlSigner {
    const stamp = amzDate(now);
    const day = stamp.slice(0, 8);
    const scope = `${day}/${this.#settings.region}/s3/aws4_request`;
    const params: [string, string][] = [
      ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
      ["X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"],
      ["X-Amz-Credential", `${credentials.accessKeyId}/${scope}`],
      ["X-Amz-Date", stamp],
      ["X-Amz-Expires", String(expiresInSeconds)],
      ["X-Amz-SignedHeaders", "host"],
    ];
    if (credentials.sessionToken !== undefined)
      params.push(["X-Amz-Security-Token", credentials.sessionToken]);
    const query = params
      .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
      .sort()
      .join("&");
    // The string to sign is this head and the canonical request's SHA-256 in hex (64 characters).
    const signature = new PrefixedHmac(
      this.#keyFor(scope, day, credentials.secretAccessKey),
      `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n`,
      64,
    );
    const queryPart = `?${query}&X-Amz-Signature=`;
    // The canonical request's tail (query, signed host header, payload) is the same for a bucket's objects.
    let lastBucket: string | undefined;
    let address: BucketAddress = { origin: "", host: "", pathPrefix: "" };
    let canonicalTail = "";
    return (bucket, key) => {
      if (bucket !== lastBucket) {
        lastBucket = bucket;
        address = this.#addressOf(bucket);
        canonicalTail = `\n${query}\nhost:${address.host}\n\nhost\nUNSIGNED-PAYLOAD`;
      }
      const path = address.pathPrefix + encodeKey(key);
      const canonicalRequestHash = hash("sha256", `GET\n${path}${canonicalTail}`, "hex");
      return `${address.origin}${path}${queryPart}${signature.hexDigest(canonicalRequestHash)}`;
    };
  }

  // Virtual-hosted style where the bucket name allows it (as the SDK does), path style otherwise.
  #addressOf(bucket: string): BucketAddress {
    const known = this.#buckets.get(bucket);
    if (known !== undefined) return known;
    const { protocol, host: baseHost } = this.#base;
    const virtualHost = !this.#settings.forcePathStyle && virtualHostBucket.test(bucket);
    const host = virtualHost ? `${bucket}.${baseHost}` : baseHost;
    const address: BucketAddress = {
      origin: `${protocol}//${host}`,
      host,
      pathPrefix: virtualHost ? `${this.#basePath}/` : `${this.#basePath}/${uriEncode(bucket)}/`,
    };
    // Bounded: a deployment stores into a handful of buckets, but rows name them, so never trust that.
    if (this.#buckets.size >= 100) this.#buckets.clear();
    this.#buckets.set(bucket, address);
    return address;
  }

  // The derived key is the same all day.
  #keyFor(scope: string, day: string, secret: string): Buffer {
    const cached = this.#signingKey;
    if (cached !== undefined && cached.scope === scope && cached.secret === secret) return cached.key;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.#settings.region), "s3"), "aws4_request");
    this.#signingKey = { scope, secret, key };
    return key;
  }
}
