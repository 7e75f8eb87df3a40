import { join } from "node:path";
import { startDaemon, waitUntilReady } from "./daemon.ts";
import { tool, type StackLayout } from "./layout.ts";

/** nats-server with JetStream on loopback; file storage under the stack's data folder. */
export async function startNats(layout: StackLayout): Promise<string> {
  const { nats, natsMonitor } = layout.ports;
  startDaemon(layout, {
    name: "nats",
    command: tool(layout, "nats-server"),
    args: [
      "--jetstream",
      `--store_dir=${join(layout.dataDir, "nats")}`,
      "--addr=127.0.0.1",
      `--port=${nats}`,
      `--http_port=${natsMonitor}`,
      "--server_name=imagesync-local",
    ],
  });
  await waitUntilReady(layout, "nats", async () => {
    const response = await fetch(`http://127.0.0.1:${natsMonitor}/healthz?js-enabled-only=true`);
    return response.ok;
  });
  return `nats://127.0.0.1:${nats}`;
}
