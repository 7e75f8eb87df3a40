import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DaemonPaths } from "./daemon.ts";

/** Where one local stack keeps its data and which loopback ports it uses (base + fixed offsets). */
export interface StackLayout extends DaemonPaths {
  dir: string;
  dataDir: string;
  binDir: string;
  ports: StackPorts;
}

export interface StackPorts {
  etcdClient: number;
  etcdPeer: number;
  kubeApiserver: number;
  nats: number;
  natsMonitor: number;
  postgres: number;
  s3: number;
  fakeDrive: number;
  api: number;
  operatorMetrics: number;
  workerMetrics: number;
}

const portOffsets: Record<keyof StackPorts, number> = {
  etcdClient: 0,
  etcdPeer: 1,
  kubeApiserver: 2,
  nats: 3,
  natsMonitor: 4,
  postgres: 5,
  s3: 6,
  fakeDrive: 7,
  api: 8,
  operatorMetrics: 9,
  workerMetrics: 10,
};

export function stackLayout(dir: string, binDir: string, portBase: number): StackLayout {
  const ports = Object.fromEntries(
    Object.entries(portOffsets).map(([name, offset]) => [name, portBase + offset]),
  ) as unknown as StackPorts;
  return {
    dir,
    dataDir: join(dir, "data"),
    runDir: join(dir, "run"),
    logDir: join(dir, "log"),
    binDir,
    ports,
  };
}

export function tool(layout: StackLayout, name: string): string {
  return join(layout.binDir, name);
}

/** The data folder, open to traverse: PostgreSQL runs as its own user, and etcd would make it 0700. */
export function prepareDataDir(layout: StackLayout): void {
  mkdirSync(layout.dataDir, { recursive: true });
  chmodSync(layout.dataDir, 0o755);
}
