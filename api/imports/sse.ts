/** One Server-Sent Events frame: `event`, optional `id`, and `data` as one line of JSON. */
export function sseFrame(event: string, data: unknown, id?: string): string {
  // JSON.stringify never emits a raw newline, so the data always fits one `data:` line.
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment frame: ignored by clients, it keeps proxies from closing an idle stream. */
export const sseKeepAlive = ": keep-alive\n\n";
