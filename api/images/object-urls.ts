import { ObjectPresigner, type PresignerSettings, type SigningCredentials } from "./presign.ts";

export interface ObjectUrlSettings extends PresignerSettings {
  /**
   * Where objects are publicly readable (a CDN or a public bucket), e.g. https://cdn.example.com/{bucket}/;
   * `{bucket}` is replaced and the key appended. Unset: short-lived presigned URLs.
   */
  publicBaseUrl: string | undefined;
  presignTtlSeconds: number;
  credentials: () => Promise<SigningCredentials>;
}

/** URLs a client can fetch images from, made for one response at a time. */
export interface ObjectUrlSigner {
  /** The URL of one object. */
  urlFor(bucket: string, key: string): string;
  /** When the URLs stop working (null for public URLs). */
  expiresAt: Date | null;
}

/** Makes fetchable URLs for stored objects: public ones when configured, presigned ones otherwise. */
export class ObjectUrls {
  readonly #settings: ObjectUrlSettings;
  readonly #presigner: ObjectPresigner;

  constructor(settings: ObjectUrlSettings) {
    this.#settings = settings;
    this.#presigner = new ObjectPresigner(settings);
  }

  /** A signer for one response: credentials are resolved once, then each URL is signed locally. */
  async signer(now: Date): Promise<ObjectUrlSigner> {
    const base = this.#settings.publicBaseUrl;
    if (base !== undefined) {
      return {
        urlFor: (bucket, key) =>
          `${base.replaceAll("{bucket}", bucket).replace(/\/*$/, "/")}${key.split("/").map(encodeURIComponent).join("/")}`,
        expiresAt: null,
      };
    }
    const ttl = this.#settings.presignTtlSeconds;
    return {
      urlFor: this.#presigner.signer(await this.#settings.credentials(), ttl, now),
      expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000),
    };
  }
}
