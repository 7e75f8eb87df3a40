import type { V1SubjectAccessReview } from "@kubernetes/client-node";
import type { KubeClient } from "../../lib/controller-runtime/index.ts";
import { imageImportApi } from "../../lib/imageimport/index.ts";
import { ApiErrors } from "../errors.ts";
import { callKubernetes } from "../kubernetes/calls.ts";
import { principalName, type Principal } from "./principal.ts";
import { TtlCache } from "./ttl-cache.ts";

/** The imageimports verbs the routes check; the same RBAC verbs kubectl needs. */
export type ImportVerb = "create" | "get" | "list" | "watch" | "patch" | "delete";

/** Namespaces a caller may act in: every one, or the listed ones. */
export type NamespaceScope = { all: true } | { all: false; namespaces: string[] };

export interface AuthorizerOptions {
  /** The API's own identity, which may create SubjectAccessReviews. */
  kube: KubeClient;
  cacheTtlMs: number;
  kubernetesTimeoutMs: number;
  now: () => number;
}

/**
 * Asks Kubernetes (SubjectAccessReview) whether a caller may use a verb on imageimports.imagesync.io in
 * a namespace, so the RBAC that governs kubectl governs the API. Only "allowed" answers are cached:
 * a denial is re-checked every time, so a new RoleBinding works at once.
 */
export class Authorizer {
  readonly #options: AuthorizerOptions;
  readonly #allowed: TtlCache<true>;

  constructor(options: AuthorizerOptions) {
    this.#options = options;
    this.#allowed = new TtlCache({ ttlMs: options.cacheTtlMs, maxEntries: 10_000, now: options.now });
  }

  /** Whether `principal` may `verb` imageimports in `namespace` (undefined: in every namespace). */
  async allows(principal: Principal, verb: ImportVerb, namespace: string | undefined): Promise<boolean> {
    if (principal.kind === "static") return true;
    const key = JSON.stringify([
      principal.username,
      principal.uid,
      principal.groups,
      principal.extra,
      verb,
      namespace,
    ]);
    if (this.#allowed.get(key) === true) return true;
    const review = await callKubernetes(
      "create subjectaccessreviews",
      this.#options.kubernetesTimeoutMs,
      () =>
        this.#options.kube.create<V1SubjectAccessReview>(
          "/apis/authorization.k8s.io/v1/subjectaccessreviews",
          {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: {
              user: principal.username,
              groups: principal.groups,
              ...(principal.uid === undefined ? {} : { uid: principal.uid }),
              ...(principal.extra === undefined ? {} : { extra: principal.extra }),
              resourceAttributes: {
                group: imageImportApi.group,
                resource: imageImportApi.plural,
                verb,
                ...(namespace === undefined ? {} : { namespace }),
              },
            },
          },
        ),
    );
    const allowed = review.status?.allowed === true;
    if (allowed) this.#allowed.set(key, true);
    return allowed;
  }

  /** Throws FORBIDDEN unless `principal` may `verb` imageimports in `namespace`. */
  async require(principal: Principal, verb: ImportVerb, namespace: string | undefined): Promise<void> {
    if (!(await this.allows(principal, verb, namespace))) {
      throw ApiErrors.forbidden(principalName(principal), verb, namespace);
    }
  }

  /** The namespaces among `candidates` where `principal` may `verb`, or all when granted cluster-wide. */
  async scope(
    principal: Principal,
    verb: ImportVerb,
    candidates: () => Promise<string[]>,
  ): Promise<NamespaceScope> {
    if (await this.allows(principal, verb, undefined)) return { all: true };
    const names = await candidates();
    const answers = await Promise.all(names.map((namespace) => this.allows(principal, verb, namespace)));
    return { all: false, namespaces: names.filter((_, index) => answers[index] === true) };
  }
}
