/**
 * Measures how the pacer settles under a per-key rate limit on the fake Drive: callers keep issuing
 * files.get for a while; prints the admitted rate (overall and over the second half), the share of
 * requests Drive turned away and the pacer's rate over time. Not a test; figures go to the report.
 *
 *   node lib/drive/measure-pacing.ts [--limit 5] [--limit-burst 5] [--seconds 40] [--callers 8]
 *     [--rate 10] [--burst 100] [--decrease 0.5] [--step 0.5]
 */
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startFakeDrive } from "../../tools/fake-drive/index.ts";
import { DriveClients } from "./client.ts";

const { values } = parseArgs({
  options: {
    limit: { type: "string", default: "5" },
    "limit-burst": { type: "string", default: "5" },
    seconds: { type: "string", default: "40" },
    callers: { type: "string", default: "8" },
    rate: { type: "string", default: "10" },
    burst: { type: "string", default: "100" },
    decrease: { type: "string", default: "0.7" },
    step: { type: "string", default: "0.5" },
  },
});
const apiKey = "measure-pacing-key";
const seconds = Number(values.seconds);

const fake = await startFakeDrive({
  apiKeys: [apiKey],
  rateLimit: { requestsPerSecond: Number(values.limit), burst: Number(values["limit-burst"]) },
});
const folderId = fake.tree.addFolder({ name: "Paced" });
const clients = new DriveClients({
  rootUrl: fake.rootUrl,
  pacing: {
    ratePerSecond: Number(values.rate),
    burst: Number(values.burst),
    decreaseFactor: Number(values.decrease),
    increaseStep: Number(values.step),
  },
});
const drive = clients.forApiKey(apiKey);

const deadline = Date.now() + seconds * 1000;
const stopping = new AbortController();
let failedCalls = 0;
const caller = async (): Promise<void> => {
  while (Date.now() < deadline) {
    await drive
      .call("files.get", ({ signal }) => drive.files.get({ fileId: folderId, fields: "id" }, { signal }), {
        signal: stopping.signal,
      })
      .catch(() => failedCalls++);
  }
};
const pacerRates: number[] = [];
const admittedAt: number[] = [];
const rejectedAt: number[] = [];
const sampler = (async () => {
  for (let second = 0; second < seconds; second++) {
    await sleep(1000);
    pacerRates.push(Number(drive.pacer.currentRate.toFixed(2)));
    const { admitted, rejectedByRateLimit } = fake.stats.snapshot();
    admittedAt.push(admitted);
    rejectedAt.push(rejectedByRateLimit);
  }
})();
const callers = Array.from({ length: Number(values.callers) }, caller);
await sampler;
stopping.abort();
await Promise.all(callers);
const stats = fake.stats.snapshot();
clients.close();
await fake.close();

const half = Math.floor(seconds / 2);
const secondHalf = ((admittedAt.at(-1) ?? 0) - (admittedAt[half - 1] ?? 0)) / (seconds - half);
console.log(
  JSON.stringify({
    machine: `${availableParallelism()} cores, node ${process.version}`,
    settings: values,
    admittedPerSecond: {
      overall: Number((stats.admitted / seconds).toFixed(2)),
      secondHalf: Number(secondHalf.toFixed(2)),
    },
    requests: stats.requests,
    rejectedByRateLimit: stats.rejectedByRateLimit,
    rejectedShare: Number((stats.rejectedByRateLimit / stats.requests).toFixed(3)),
    callsGivenUp: failedCalls,
    pacerRatePerSecond: pacerRates,
    rejectedBySecond: rejectedAt,
  }),
);
