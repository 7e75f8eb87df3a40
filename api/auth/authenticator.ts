import { createHash, timingSafeEqual } from "node:crypto";
import type { V1TokenReview } from "@kubernetes/client-node";
import type { KubeClient } from "../../lib/controller-runtime/index.ts";
import { ApiErrors } from "../errors.ts";
import { callKubernetes } from "../kubernetes/calls.ts";
import { staticAdmin, type Principal } from "./principal.ts";
import { TtlCache } from "./ttl-cache.ts";

export interface AuthenticatorOptions {
  /** The API's own identity, which may create TokenReviews. */
  kube: KubeClient;
  /** API_STATIC_TOKEN: whoever presents it is the local admin. */
  staticToken: string | undefined;
  cacheTtlMs: number;
  kubernetesTimeoutMs: number;
  now: () => number;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Turns a bearer token into a Principal with a Kubernetes TokenReview, as the apiserver would. Accepted
 * tokens are remembered briefly, by their SHA-256 (the token itself is never stored), so a client's
 * burst of requests costs one review.
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #staticDigest: Buffer | undefined;
  readonly #accepted: TtlCache<Principal>;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
    this.#staticDigest = options.staticToken === undefined ? undefined : digest(options.staticToken);
    this.#accepted = new TtlCache({ ttlMs: options.cacheTtlMs, maxEntries: 10_000, now: options.now });
  }

  /** The caller behind `token`; throws INVALID_TOKEN when Kubernetes does not vouch for it. */
  async authenticate(token: string): Promise<Principal> {
    const tokenDigest = digest(token);
    if (this.#staticDigest !== undefined && timingSafeEqual(tokenDigest, this.#staticDigest))
      return staticAdmin;
    const key = tokenDigest.toString("base64");
    const cached = this.#accepted.get(key);
    if (cached !== undefined) return cached;

    const review = await callKubernetes("create tokenreviews", this.#options.kubernetesTimeoutMs, () =>
      this.#options.kube.create<V1TokenReview>("/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      }),
    );
    const user = review.status?.user;
    if (review.status?.authenticated !== true || user?.username === undefined) throw ApiErrors.invalidToken();
    const principal: Principal = {
      kind: "user",
      username: user.username,
      uid: user.uid,
      groups: user.groups ?? [],
      extra: user.extra,
    };
    this.#accepted.set(key, principal);
    return principal;
  }
}
