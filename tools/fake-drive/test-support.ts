/** Helpers for the fake's own tests: a started fake, the real Drive client on it, and error decoding. */
import { drive, type drive_v3 } from "@googleapis/drive";
import { startFakeDrive, type FakeDrive, type FakeDriveOptions } from "./index.ts";

export const API_KEY = "key-1";

/** The real client, pointed at the fake, with its own retries off (as the product runs it). */
export function driveClient(fake: FakeDrive, key = API_KEY): drive_v3.Drive {
  return drive({ version: "v3", auth: key, rootUrl: fake.rootUrl, retry: false });
}

/** A fake on a free loopback port with the test key, and a client for it. */
export async function startTestDrive(
  options: Partial<FakeDriveOptions> = {},
): Promise<{ fake: FakeDrive; client: drive_v3.Drive }> {
  const fake = await startFakeDrive({ apiKeys: [API_KEY], ...options });
  return { fake, client: driveClient(fake) };
}

/** What a failed client call tells: HTTP status, Drive reason and message, Retry-After. */
export interface DriveFailure {
  status: number | undefined;
  reason: string | undefined;
  message: string | undefined;
  retryAfter: string | undefined;
  body: unknown;
}

type ResponseHeaders = { get(name: string): string | null } | Record<string, string>;

interface ClientError {
  status?: number;
  message: string;
  response?: { data?: unknown; headers?: ResponseHeaders };
}

/**
 * A response header: the client hands out a plain object, or (when its fetch's Headers class is not
 * the global one, as under vitest) the Headers object itself.
 */
export function headerOf(headers: unknown, name: string): string | undefined {
  const source = headers as ResponseHeaders | undefined;
  if (source === undefined) return undefined;
  if (typeof source.get === "function") return source.get(name) ?? undefined;
  return (source as Record<string, string>)[name];
}

/**
 * Runs a call expected to fail and decodes the error. With responseType "stream" the client leaves the
 * JSON body only in err.message, so the body is read from there when response.data is not an object.
 */
export async function failureOf(call: () => Promise<unknown>): Promise<DriveFailure> {
  try {
    await call();
  } catch (caught) {
    const error = caught as ClientError;
    const data = error.response?.data;
    const body: unknown = typeof data === "object" && data !== null ? data : parseJson(error.message);
    const first = (body as { error?: { errors?: Array<{ reason?: string }>; message?: string } } | undefined)
      ?.error;
    const retryAfter = headerOf(error.response?.headers, "retry-after");
    return {
      status: error.status,
      reason: first?.errors?.[0]?.reason,
      message: first?.message,
      retryAfter,
      body,
    };
  }
  throw new Error("the call succeeded but was expected to fail");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every byte of a readable stream. */
export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Downloads a file's bytes through the client, as a stream (the way the worker will). */
export async function download(
  client: drive_v3.Drive,
  fileId: string,
  headers: Record<string, string> = {},
): Promise<Buffer> {
  const response = await client.files.get({ fileId, alt: "media" }, { responseType: "stream", headers });
  return readAll(response.data);
}
