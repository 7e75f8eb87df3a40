import { connect, type Socket } from "node:net";

const headerEnd = Buffer.from("\r\n\r\n");
const contentLength = /\r\ncontent-length: *(\d+)/i;

/** One keep-alive connection that runs one GET at a time and reads only what frames the answer. */
class Connection {
  readonly #socket: Socket;
  #head: Buffer | undefined;
  #bodyLeft = 0;
  #status = 0;
  #settle: ((status: number) => void) | undefined;

  constructor(port: number) {
    this.#socket = connect({ host: "127.0.0.1", port, noDelay: true });
    this.#socket.on("data", (chunk: Buffer) => this.#read(chunk));
    this.#socket.on("error", () => this.#finish(0));
    this.#socket.on("close", () => this.#finish(0));
  }

  get closed(): boolean {
    return this.#socket.destroyed;
  }

  /** The status code of `request`'s answer, once all of its body has arrived; 0 if the connection failed. */
  send(request: string): Promise<number> {
    return new Promise((resolve) => {
      this.#settle = resolve;
      this.#head = undefined;
      this.#socket.write(request);
    });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    if (this.#settle === undefined) return this.destroy();
    let body = chunk;
    if (this.#bodyLeft === 0) {
      const head = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
      const end = head.indexOf(headerEnd);
      if (end < 0) {
        this.#head = head;
        return;
      }
      const header = head.toString("latin1", 0, end);
      const length = contentLength.exec(header)?.[1];
      // Answers are framed by Content-Length (fastify's, for a serialised body); anything else is a failure.
      if (length === undefined) return this.destroy();
      this.#status = Number(header.slice(9, 12));
      this.#bodyLeft = Number(length);
      body = head.subarray(end + headerEnd.length);
    }
    this.#bodyLeft -= body.length;
    if (this.#bodyLeft < 0) return this.destroy();
    if (this.#bodyLeft === 0) this.#finish(this.#status);
  }

  #finish(status: number): void {
    const settle = this.#settle;
    this.#settle = undefined;
    this.#bodyLeft = 0;
    settle?.(status);
  }
}

/**
 * GET requests over up to `maxConnections` keep-alive HTTP/1.1 connections to a loopback server, queued
 * when all are busy (as node:http's Agent does). It reads only the status line and Content-Length and
 * counts the body's bytes without decoding them: the load process shares the machine with the server it
 * measures, and node:http's client spent about as much CPU per page as the API did serving it.
 */
export class KeepAliveGetter {
  readonly #port: number;
  readonly #headers: string;
  readonly #maxConnections: number;
  readonly #idle: Connection[] = [];
  readonly #waiting: ((connection: Connection) => void)[] = [];
  #open = 0;

  constructor(baseUrl: string, headers: Record<string, string>, maxConnections: number) {
    const url = new URL(baseUrl);
    this.#port = Number(url.port);
    this.#headers = Object.entries({ host: url.host, ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    this.#maxConnections = maxConnections;
  }

  /** The status code of GET `path` (0 when the connection failed). */
  async get(path: string): Promise<number> {
    const connection = await this.#acquire();
    const status = await connection.send(`GET ${path} HTTP/1.1\r\n${this.#headers}\r\n`);
    this.#release(connection);
    return status;
  }

  /** Closes every connection. */
  close(): void {
    for (const connection of this.#idle.splice(0)) connection.destroy();
  }

  // A freed connection goes to the longest waiting request, so a queue shows in the latencies it causes.
  #acquire(): Connection | Promise<Connection> {
    for (let idle = this.#idle.pop(); idle !== undefined; idle = this.#idle.pop()) {
      if (!idle.closed) return idle;
      this.#open--;
    }
    if (this.#open < this.#maxConnections) return this.#connect();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(connection: Connection): void {
    const next = this.#waiting.shift();
    if (connection.closed) {
      this.#open--;
      if (next !== undefined) next(this.#connect());
    } else if (next !== undefined) next(connection);
    else this.#idle.push(connection);
  }

  #connect(): Connection {
    this.#open++;
    return new Connection(this.#port);
  }
}
