/** Who is calling: the local static-token admin, or a Kubernetes identity TokenReview vouched for. */
export type Principal =
  | { kind: "static" }
  | {
      kind: "user";
      username: string;
      uid: string | undefined;
      groups: string[];
      extra: Record<string, string[]> | undefined;
    };

/** The identity of API_STATIC_TOKEN: allowed everything, for local use. */
export const staticAdmin: Principal = { kind: "static" };

/** How messages name the caller. */
export function principalName(principal: Principal): string {
  return principal.kind === "static" ? "the static-token caller" : principal.username;
}
