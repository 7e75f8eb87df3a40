import { join } from "node:path";
import { startDaemon, waitUntilReady } from "./daemon.ts";
import { tool, type StackLayout } from "./layout.ts";

/** etcd for kube-apiserver: one member on loopback, fsync off (test data is throwaway). */
export async function startEtcd(layout: StackLayout): Promise<string> {
  const { etcdClient, etcdPeer } = layout.ports;
  const clientUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  startDaemon(layout, {
    name: "etcd",
    command: tool(layout, "etcd"),
    args: [
      "--name=imagesync",
      `--data-dir=${join(layout.dataDir, "etcd")}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=imagesync=${peerUrl}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
  });
  await waitUntilReady(layout, "etcd", async () => {
    const response = await fetch(`${clientUrl}/health`);
    return response.ok;
  });
  return clientUrl;
}
