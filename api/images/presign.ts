import { createHmac, createSecretKey, hash, type KeyObject } from "node:crypto";

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

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
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
 * a few microseconds: the day's signing key is derived once, and everything but the object's path is
 * shared by the URLs of one response.
 */
export class ObjectPresigner {
  readonly #settings: PresignerSettings;
  readonly #base: URL;
  #signingKey: { scope: string; secret: string; key: KeyObject } | undefined;

  constructor(settings: PresignerSettings) {
    this.#settings = settings;
    this.#base = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
  }

  /** A signer for URLs valid from `now` for `expiresInSeconds`. */
  signer(credentials: SigningCredentials, expiresInSeconds: number, now: Date): GetUrlSigner {
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
    const signingKey = this.#keyFor(scope, day, credentials.secretAccessKey);
    const { protocol, host: baseHost } = this.#base;
    const basePath = this.#base.pathname.replace(/\/+$/, "");
    const pathStyleOnly = this.#settings.forcePathStyle;

    return (bucket, key) => {
      const virtualHost = !pathStyleOnly && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
      const host = virtualHost ? `${bucket}.${baseHost}` : baseHost;
      const keyPath = key.split("/").map(uriEncode).join("/");
      const path = virtualHost ? `${basePath}/${keyPath}` : `${basePath}/${uriEncode(bucket)}/${keyPath}`;
      const canonicalRequest = `GET\n${path}\n${query}\nhost:${host}\n\nhost\nUNSIGNED-PAYLOAD`;
      const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${hash("sha256", canonicalRequest, "hex")}`;
      const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
      return `${protocol}//${host}${path}?${query}&X-Amz-Signature=${signature}`;
    };
  }

  // The derived key is the same all day; as a KeyObject, each HMAC skips re-importing it.
  #keyFor(scope: string, day: string, secret: string): KeyObject {
    const cached = this.#signingKey;
    if (cached !== undefined && cached.scope === scope && cached.secret === secret) return cached.key;
    const raw = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.#settings.region), "s3"), "aws4_request");
    const key = createSecretKey(raw);
    this.#signingKey = { scope, secret, key };
    return key;
  }
}
