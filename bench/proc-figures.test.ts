import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { cpuSecondsOf, listeningPid, treeCpuSecondsOf } from "./proc-figures.ts";

// A child that spends `ms` of CPU (counted as CPU, so a loaded machine only makes it slower), then (with
// `linger`) stays alive without spending more.
function burnCpu(ms: number, linger = false) {
  const script = `for (let used = 0; used < ${ms * 1000}; ) { const { user, system } = process.cpuUsage(); used = user + system; } ${linger ? "setInterval(() => {}, 1000);" : ""}`;
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}

/** The CPU this process's descendants, live and reaped, have used. */
function descendantsCpuSeconds(): number {
  return treeCpuSecondsOf(process.pid) - cpuSecondsOf(process.pid);
}

describe("listeningPid", () => {
  it("finds the process listening on a loopback port, and nobody on a closed one", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    expect(listeningPid(port)).toBe(process.pid);
    server.close();
    await once(server, "close");
    expect(listeningPid(port)).toBeUndefined();
  });
});

describe("treeCpuSecondsOf", () => {
  it("counts a child that has exited", async () => {
    const before = descendantsCpuSeconds();
    const child = burnCpu(400);
    await once(child, "exit");
    expect(descendantsCpuSeconds() - before).toBeGreaterThan(0.2);
  });

  it("counts a child that is still running", async () => {
    const before = descendantsCpuSeconds();
    const child = burnCpu(400, true);
    try {
      await expect.poll(() => cpuSecondsOf(child.pid ?? 0), { timeout: 30_000 }).toBeGreaterThan(0.3);
      expect(child.exitCode).toBeNull();
      expect(descendantsCpuSeconds() - before).toBeGreaterThan(0.3);
    } finally {
      child.kill();
    }
  });
});
