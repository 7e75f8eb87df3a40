import { KubeApiError, statusCodeOf } from "../../lib/controller-runtime/index.ts";
import { ApiError, ApiErrors } from "../errors.ts";

/** The HTTP status and the Status message of a failed Kubernetes API call, when it got an answer. */
export interface KubernetesFailure {
  status: number | undefined;
  /** The apiserver's own explanation (a metav1.Status message), e.g. a CEL rule's message. */
  message: string | undefined;
}

/** What a failed call's answer says, without keeping the error (or its request) around. */
function describeFailure(error: unknown): KubernetesFailure {
  const body: unknown = error instanceof KubeApiError ? error.body : undefined;
  const message = (body as { message?: unknown } | undefined)?.message;
  return { status: statusCodeOf(error), message: typeof message === "string" ? message : undefined };
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
