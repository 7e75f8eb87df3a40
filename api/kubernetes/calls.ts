import { statusCodeOf } from "../../lib/controller-runtime/api-errors.ts";
import { ApiError, ApiErrors } from "../errors.ts";

/** The HTTP status and the Status message of a failed Kubernetes API call, when it got an answer. */
export interface KubernetesFailure {
  status: number | undefined;
  /** The apiserver's own explanation (a metav1.Status message), e.g. a CEL rule's message. */
  message: string | undefined;
}

/** Reads what a client-node error says without keeping its headers or raw body around. */
function describeFailure(error: unknown): KubernetesFailure {
  const status = statusCodeOf(error);
  const body = (error as { body?: unknown } | null)?.body;
  let message: string | undefined;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === "string") message = parsed.message;
    } catch {
      message = undefined;
    }
  }
  return { status, message };
}

/**
 * Runs one Kubernetes API call made with the API's own identity, with a deadline. `expected` turns the
 * answers a route anticipates (404, 409, 422) into its own errors; anything else means the API or its
 * ServiceAccount is in trouble: 403 is a missing ClusterRole binding, the rest is "unavailable".
 */
export async function callKubernetes<T>(
  what: string,
  timeoutMs: number,
  call: () => Promise<T>,
  expected: (failure: KubernetesFailure) => ApiError | undefined = () => undefined,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(ApiErrors.kubernetesUnavailable()), timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const failure = describeFailure(error);
    const mapped = expected(failure);
    if (mapped !== undefined) throw mapped;
    if (failure.status === 403) throw ApiErrors.kubernetesDenied(what, error);
    throw ApiErrors.kubernetesUnavailable(error);
  } finally {
    clearTimeout(timer);
  }
}
