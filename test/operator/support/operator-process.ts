/** `node operator/main.ts` as a child process, configured for one test's world, for tests about the process. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { requireEnv } from "../../support/stack.ts";
import { apiKey, eventually, type OperatorHarness } from "./harness.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export class OperatorProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #output = "";

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    child.stdout?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    this.#exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** Starts an operator replica for `harness`'s namespace, database, queue prefix and fake Drive. */
  static start(harness: OperatorHarness, name: string, env: Record<string, string> = {}): OperatorProcess {
    const child = spawn(process.execPath, ["operator/main.ts"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        KUBECONFIG: requireEnv("KUBECONFIG"),
        DATABASE_URL: harness.databaseUrl,
        NATS_URL: requireEnv("NATS_URL"),
        IMAGESYNC_QUEUE_PREFIX: harness.queuePrefix,
        DRIVE_API_ROOT_URL: harness.fake.rootUrl,
        DRIVE_API_KEY: apiKey,
        DEFAULT_BUCKET: "imagesync",
        WATCH_NAMESPACE: harness.namespace,
        LEADER_ELECTION_NAMESPACE: harness.namespace,
        LEADER_ELECTION_ID: "imagesync-operator",
        LEADER_ELECTION_LEASE_DURATION_SECONDS: "3",
        LEADER_ELECTION_RENEW_DEADLINE_SECONDS: "2",
        LEADER_ELECTION_RETRY_PERIOD_SECONDS: "0.5",
        POD_NAME: name,
        BIND_ADDRESS: "127.0.0.1",
        HEALTH_PORT: "0",
        METRICS_PORT: "0",
        LOG_LEVEL: "info",
        ...env,
      },
    });
    return new OperatorProcess(name, child);
  }

  /** Everything the process wrote, for a failing test's message. */
  get output(): string {
    return this.#output;
  }

  /** The health port from the process's "operator started" log line. */
  async healthPort(): Promise<number> {
    return eventually(
      () => {
        const match = /"ports":\{"health":(\d+)/.exec(this.#output);
        return match?.[1] === undefined ? undefined : Number(match[1]);
      },
      `${this.name} to start:\n${this.#output}`,
      30_000,
    );
  }

  /** Whether the process says it holds the lease (`leader_election_master_status`). */
  async isLeader(): Promise<boolean> {
    const port = await this.healthPort();
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return /^leader_election_master_status\{name="imagesync-operator"\} 1$/m.test(metrics);
  }

  /** Sends `signal` and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
    return this.#exited;
  }
}
