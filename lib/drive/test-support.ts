// Shared by this folder's tests: a fake Drive on loopback and our real client pointed at it.
import { startFakeDrive, type FakeDrive, type FakeDriveOptions } from "../../tools/fake-drive/index.ts";
import { DriveClients, type DriveClient, type DriveSettings } from "./client.ts";
import type { WalkEvent } from "./walk.ts";

export const testApiKey = "AIzaTestKey-lib-drive-0123456789";

/** Settings that keep tests quick: short backoffs, no pacing to speak of, short timeouts. */
export const quickSettings: DriveSettings = {
  retry: { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 4 },
  pacing: { ratePerSecond: 10_000, burst: 10_000 },
  callTimeoutMs: 5_000,
  stallTimeoutMs: 2_000,
};

export interface DriveUnderTest {
  fake: FakeDrive;
  clients: DriveClients;
  drive: DriveClient;
  close(): Promise<void>;
}

/** Starts a fake Drive on 127.0.0.1:0 and a client for it (settings merged over `quickSettings`). */
export async function startDriveUnderTest(
  options: { fake?: Partial<FakeDriveOptions>; settings?: DriveSettings } = {},
): Promise<DriveUnderTest> {
  const fake = await startFakeDrive({ apiKeys: [testApiKey], ...options.fake });
  const clients = new DriveClients({ ...quickSettings, ...options.settings, rootUrl: fake.rootUrl });
  return {
    fake,
    clients,
    drive: clients.forApiKey(testApiKey),
    close: async () => {
      clients.close();
      await fake.close();
    },
  };
}

/** Every event of a walk, in order. */
export async function collectEvents(walk: AsyncIterable<WalkEvent>): Promise<WalkEvent[]> {
  const events: WalkEvent[] = [];
  for await (const event of walk) events.push(event);
  return events;
}
