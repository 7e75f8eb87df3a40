import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

// What Linux's /proc says of a process: the CPU and memory figures the benchmarks report.

const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** The fields of /proc/<pid>/stat after the parenthesised command name (which may hold spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** CPU seconds `pid` has used so far (user + system, every thread). */
export function cpuSecondsOf(pid: number): number {
  // utime and stime are the 12th and 13th fields after the name (14th and 15th of the whole line), in ticks.
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/**
 * CPU seconds `pid` and every process it started have used so far: its own, its reaped children's (cutime
 * and cstime, the 14th and 15th fields after the name) and its live descendants'. A server that forks a
 * process per connection (PostgreSQL) is counted whole, its short-lived backends included. One pass over
 * /proc finds the live descendants, however many there are.
 */
export function treeCpuSecondsOf(pid: number): number {
  const ticks = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const candidate = Number(entry);
    try {
      const fields = statFields(candidate);
      ticks.set(candidate, Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
      // The parent pid is the 2nd field after the name.
      const parent = Number(fields[1]);
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [candidate]);
      else siblings.push(candidate);
    } catch {
      // Gone since the listing.
    }
  }
  if (!ticks.has(pid)) throw new Error(`process ${pid} is not running`);
  let total = 0;
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    total += ticks.get(next) ?? 0;
    pending.push(...(children.get(next) ?? []));
  }
  return total / clockTicksPerSecond;
}

/** The process listening on loopback TCP `port`, or undefined when /proc shows none this user may see. */
export function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let lines: string[];
    try {
      lines = readFileSync(table, "utf8").trim().split("\n").slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is the 10th column.
      const columns = line.trim().split(/\s+/);
      const localPort = Number.parseInt(columns[1]?.split(":")[1] ?? "", 16);
      if (localPort === port && columns[3] === "0A" && columns[9] !== undefined) inodes.add(columns[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (target.startsWith("socket:[") && inodes.has(target.slice(8, -1))) return Number(entry);
      } catch {
        // Closed since the listing.
      }
    }
  }
  return undefined;
}

/** `pid`'s resident memory in bytes: now (VmRSS) or the most it ever had (VmHWM). */
export function memoryBytesOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
}
