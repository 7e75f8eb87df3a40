import { listeningPid, treeCpuSecondsOf } from "./proc-figures.ts";

// Where a run's CPU went, process by process. On a machine whose cores every process shares, files/s is
// bounded by the CPU all of them spend per file, not by the client's alone: this makes that visible.

/** A server of the local stack, found by the loopback port its URL names. */
interface Server {
  name: string;
  pid: number;
}

/** CPU seconds each part used during one run. */
export type CpuSpent = Map<string, number>;

/** The local stack's servers a transfer loads: S3, PostgreSQL and NATS, those /proc shows on this machine. */
export function transferServers(stackEnv: Record<string, string>): Server[] {
  const urls: [string, string | undefined][] = [
    ["S3 server", stackEnv.S3_ENDPOINT],
    ["PostgreSQL", stackEnv.DATABASE_URL],
    ["NATS", stackEnv.NATS_URL],
  ];
  const servers: Server[] = [];
  for (const [name, url] of urls) {
    if (url === undefined) continue;
    const { hostname, port } = new URL(url);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(hostname) || port === "") continue;
    const pid = listeningPid(Number(port));
    if (pid !== undefined) servers.push({ name, pid });
  }
  return servers;
}

/**
 * Starts counting. The returned function gives the CPU each server (with its children) and this process
 * used since, this process's under `ownPart` (what it does during the run), beside the `others` it is given
 * (a child process's own figure, read before it exited).
 */
export function startCpuBudget(
  servers: Server[],
  ownPart: string,
): (others: Record<string, number>) => CpuSpent {
  const serversBefore = servers.map((server) => treeCpuSecondsOf(server.pid));
  const ownBefore = process.cpuUsage();
  return (others) => {
    const own = process.cpuUsage(ownBefore);
    const spent: CpuSpent = new Map(Object.entries(others));
    spent.set(ownPart, (spent.get(ownPart) ?? 0) + (own.user + own.system) / 1e6);
    servers.forEach((server, index) =>
      spent.set(server.name, treeCpuSecondsOf(server.pid) - (serversBefore[index] ?? 0)),
    );
    return spent;
  };
}
