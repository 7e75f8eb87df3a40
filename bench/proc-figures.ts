import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// What Linux's /proc says of a process: the CPU and memory figures the benchmarks report.

const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU seconds `pid` has used so far (user + system, every thread). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // After the parenthesised command name (which may hold spaces), utime and stime are the 12th and 13th
  // fields (14th and 15th of the whole line), in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** `pid`'s resident memory in bytes: now (VmRSS) or the most it ever had (VmHWM). */
export function memoryBytesOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
}
