import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, STATUS_CODES, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createInterface } from "node:readline";
import type { KubeConnection } from "./kube-connection.ts";

/** A failed API call: the HTTP status as `code` (what `statusCodeOf` reads) and the server's Status body. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly body: unknown;

  constructor(method: string, path: string, code: number, body: unknown) {
    const message = (body as { message?: unknown } | undefined)?.message;
    super(`${method} ${path}: ${code} ${typeof message === "string" ? message : (STATUS_CODES[code] ?? "")}`);
    this.name = "KubeApiError";
    this.code = code;
    this.body = body;
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/** Called with each watch event's type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) and object. */
export type WatchEventCallback = (type: string, object: unknown) => void;

// Rotated service-account tokens are read again at most this often, as client-go does.
const tokenFileRefreshMs = 60_000;
// A watch that sends nothing for this long is ended, as client-node's Watch does; the informer re-watches.
const watchInactivityMs = 30_000;
// A call whose connection goes quiet this long fails, so a hung connection cannot stall a reconcile for
// good (under client-node, undici gave up after 300 s without headers).
const callInactivityMs = 60_000;

/**
 * A small JSON client of the Kubernetes API: the handful of verbs the operator and the API use, and watch.
 * It stands in for client-node's generated clients, whose first import loads every API class and all ~800
 * models (~40 MB of the operator's 150 MB budget) for the dozen calls the processes make; objects stay the
 * server's plain JSON.
 */
export class KubeClient {
  readonly #connection: KubeConnection;
  readonly #base: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  #token: { value: string; readAt: number } | undefined;

  constructor(connection: KubeConnection) {
    this.#connection = connection;
    this.#base = new URL(connection.server);
    const secure = this.#base.protocol === "https:";
    this.#request = secure ? httpsRequest : httpRequest;
    this.#agent = secure
      ? new HttpsAgent({
          keepAlive: true,
          ...(connection.ca === undefined ? {} : { ca: connection.ca }),
          ...(connection.clientCertificate === undefined ? {} : { cert: connection.clientCertificate }),
          ...(connection.clientKey === undefined ? {} : { key: connection.clientKey }),
          rejectUnauthorized: connection.insecureSkipTlsVerify !== true,
        })
      : new HttpAgent({ keepAlive: true });
  }

  /** GET an object or a list. */
  get<T>(path: string, query?: Query): Promise<T> {
    return this.#call("GET", path, query, undefined);
  }

  /** POST a new object to a collection. */
  create<T>(path: string, body: object): Promise<T> {
    return this.#call("POST", path, undefined, body);
  }

  /** PUT a whole object (its resourceVersion, when set, is the precondition). */
  replace<T>(path: string, body: object): Promise<T> {
    return this.#call("PUT", path, undefined, body);
  }

  /** PATCH as a JSON merge patch, the one patch type that works for custom resources and built-ins alike. */
  mergePatch<T>(path: string, patch: object): Promise<T> {
    return this.#call("PATCH", path, undefined, patch, "application/merge-patch+json");
  }

  /** DELETE an object; `body` carries DeleteOptions such as preconditions. */
  delete<T>(path: string, body?: object): Promise<T> {
    return this.#call("DELETE", path, undefined, body);
  }

  /**
   * Watches a collection with client-node's Watch contract, which the Informer expects: `onEvent` per event,
   * `onDone` once when the stream ends (null), fails (an Error; `statusCode` for a refused request) or sends
   * nothing for 30 s (a TimeoutError). The returned controller aborts the watch.
   */
  watch(
    path: string,
    query: Query,
    onEvent: WatchEventCallback,
    onDone: (error: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      controller.abort();
      onDone(error);
    };
    const restartTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => finish(new DOMException("no watch event for 30 s", "TimeoutError")),
        watchInactivityMs,
      );
      timer.unref();
    };
    restartTimer();
    const request = this.#send(
      "GET",
      this.#url(path, { ...query, watch: true }),
      undefined,
      controller.signal,
    );
    request.on("error", finish);
    request.on("response", (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        const code = response.statusCode ?? 0;
        finish(Object.assign(new Error(STATUS_CODES[code] ?? "watch refused"), { statusCode: code }));
        return;
      }
      response.on("data", restartTimer);
      response.on("error", finish);
      response.on("close", () => finish(null));
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      // readline re-emits the response's errors (a reset connection, our own abort) on the interface.
      lines.on("error", finish);
      lines.on("line", (line) => {
        if (done || line === "") return;
        let event: { type: string; object: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch (error) {
          finish(error);
          return;
        }
        onEvent(event.type, event.object);
      });
    });
    request.end();
    return Promise.resolve(controller);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #call<T>(
    method: string,
    path: string,
    query: Query | undefined,
    body: object | undefined,
    contentType = "application/json",
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = this.#send(
      method,
      this.#url(path, query),
      payload === undefined ? undefined : contentType,
    );
    // Node frames a DELETE's body neither by length nor by chunks unless told its length, and the server
    // would then read it as the start of the connection's next request.
    if (payload !== undefined) request.setHeader("content-length", Buffer.byteLength(payload));
    request.setTimeout(callInactivityMs, () =>
      request.destroy(new Error(`${method} ${path}: no answer for ${callInactivityMs / 1000} s`)),
    );
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.on("response", resolve);
      request.on("error", reject);
      request.end(payload);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const parsed = text === "" ? undefined : parseJson(text);
    const code = response.statusCode ?? 0;
    if (code < 200 || code > 299) throw new KubeApiError(method, path, code, parsed ?? text);
    return parsed as T;
  }

  #send(method: string, url: URL, contentType: string | undefined, signal?: AbortSignal) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (contentType !== undefined) headers["content-type"] = contentType;
    const token = this.#bearerToken();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    return this.#request(url, {
      method,
      headers,
      agent: this.#agent,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  #url(path: string, query: Query | undefined): URL {
    const url = new URL(this.#base.pathname.replace(/\/$/, "") + path, this.#base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  #bearerToken(): string | undefined {
    const { token, tokenFile } = this.#connection;
    if (tokenFile === undefined) return token;
    const now = Date.now();
    if (this.#token === undefined || now - this.#token.readAt > tokenFileRefreshMs) {
      this.#token = { value: readFileSync(tokenFile, "utf8").trim(), readAt: now };
    }
    return this.#token.value;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
