import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A long-running server started detached from the command that started it, tracked by a pidfile. */
export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** The signal that makes this server shut down cleanly (postgres wants SIGINT for a fast stop). */
  stopSignal?: NodeJS.Signals;
}

export interface DaemonPaths {
  runDir: string;
  logDir: string;
}

function pidFile(paths: DaemonPaths, name: string): string {
  return join(paths.runDir, `${name}.pid`);
}

export function logFile(paths: DaemonPaths, name: string): string {
  return join(paths.logDir, `${name}.log`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a running daemon of this stack, or undefined. */
export function runningPid(paths: DaemonPaths, name: string): number | undefined {
  const file = pidFile(paths, name);
  if (!existsSync(file)) return undefined;
  const [pid] = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
  return pid !== undefined && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Starts a daemon unless this stack already runs it; output goes to its log file. */
export function startDaemon(paths: DaemonPaths, spec: DaemonSpec): number {
  const existing = runningPid(paths, spec.name);
  if (existing !== undefined) return existing;
  mkdirSync(paths.runDir, { recursive: true });
  mkdirSync(paths.logDir, { recursive: true });
  const log = openSync(logFile(paths, spec.name), "a");
  const child = spawn(spec.command, spec.args, {
    detached: true,
    stdio: ["ignore", log, log],
    env: spec.env ?? process.env,
    uid: spec.uid,
    gid: spec.gid,
  });
  if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
  child.unref();
  writeFileSync(pidFile(paths, spec.name), `${child.pid} ${spec.stopSignal ?? "SIGTERM"}\n`);
  return child.pid;
}

/** Stops a daemon this stack started: its clean-stop signal, then SIGKILL after the grace period. */
export async function stopDaemon(paths: DaemonPaths, name: string, graceMs = 15_000): Promise<boolean> {
  const file = pidFile(paths, name);
  if (!existsSync(file)) return false;
  const [pidText, signal] = readFileSync(file, "utf8").trim().split(/\s+/);
  const pid = Number(pidText);
  rmSync(file, { force: true });
  if (!(pid > 0) || !isAlive(pid)) return false;
  process.kill(pid, signal ?? "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  return true;
}

/** Polls `probe` until it resolves true; on timeout the error names the server and its log. */
export async function waitUntilReady(
  paths: DaemonPaths,
  name: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "the probe said not ready";
  while (Date.now() < deadline) {
    if (runningPid(paths, name) === undefined) {
      throw new Error(`${name} exited during start-up; see ${logFile(paths, name)}:\n${tail(paths, name)}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(
    `${name} was not ready after ${timeoutMs} ms (${lastError}); ` +
      `see ${logFile(paths, name)}:\n${tail(paths, name)}`,
  );
}

function tail(paths: DaemonPaths, name: string, lines = 15): string {
  const file = logFile(paths, name);
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}
