/**
 * The load process of bench/api-images.ts: node bench/api-images-load.ts '<plan JSON>' drives one run
 * against the API and prints its result as JSON. It imports only what it needs to build the requests, so
 * its start-up costs little of the CPU the machine shares with the API.
 */
import { encodeCursor } from "../api/cursor.ts";
import { KeepAliveGetter } from "./keep-alive-getter.ts";

/** One load run. */
export interface LoadPlan {
  /** The API processes; requests go to each in turn, as a Service spreads connections over its pods. */
  baseUrls: string[];
  token: string;
  rows: number;
  pageSize: number;
  /** keyset: a cursor at a random depth; offset: a random offset, or `depth` when given. */
  paging: "keyset" | "offset";
  depth?: number;
  includeTotal: boolean;
  loop: { kind: "closed"; concurrency: number } | { kind: "open"; rate: number };
  seconds: number;
}

export interface LoadResult {
  latenciesMs: number[];
  errors: number;
  elapsedS: number;
  /** CPU seconds this process used while driving the load. */
  cpuS: number;
}

function pathFor(plan: LoadPlan): string {
  const { pageSize } = plan;
  const randomRow = () => 1 + Math.floor(Math.random() * (plan.rows - pageSize));
  const total = plan.includeTotal ? "" : "&includeTotal=false";
  if (plan.paging === "keyset") {
    return `/api/images?limit=${pageSize}&cursor=${encodeCursor("images", String(randomRow() + pageSize))}${total}`;
  }
  return `/api/images?limit=${pageSize}&offset=${plan.depth ?? randomRow()}${total}`;
}

async function drive(plan: LoadPlan): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const maxConnections = plan.loop.kind === "closed" ? plan.loop.concurrency : 128;
  const getters = plan.baseUrls.map(
    (baseUrl) =>
      new KeepAliveGetter(
        baseUrl,
        { authorization: `Bearer ${plan.token}` },
        Math.ceil(maxConnections / plan.baseUrls.length),
      ),
  );
  let turn = 0;
  const nextGetter = (): KeepAliveGetter => getters[turn++ % getters.length] as KeepAliveGetter;
  const latenciesMs: number[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + plan.seconds * 1000;
  const record = async (scheduledAt: number) => {
    const status = await nextGetter().get(pathFor(plan));
    latenciesMs.push(performance.now() - scheduledAt);
    if (status !== 200) errors++;
  };

  if (plan.loop.kind === "closed") {
    const client = async () => {
      while (performance.now() < deadline) await record(performance.now());
    };
    await Promise.all(Array.from({ length: plan.loop.concurrency }, client));
  } else {
    // Each tick (about a millisecond) starts every request whose scheduled time has come.
    const interval = 1000 / plan.loop.rate;
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    while (performance.now() < deadline) {
      const due = Math.floor((performance.now() - start) / interval);
      for (; sent < due; sent++) {
        const pending = record(start + sent * interval);
        inFlight.add(pending);
        void pending.then(() => inFlight.delete(pending));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  }
  const elapsedS = (performance.now() - start) / 1000;
  for (const getter of getters) getter.close();
  const cpu = process.cpuUsage(cpuBefore);
  return { latenciesMs, errors, elapsedS, cpuS: (cpu.user + cpu.system) / 1e6 };
}

process.stdout.write(JSON.stringify(await drive(JSON.parse(process.argv[2] ?? "{}") as LoadPlan)));
