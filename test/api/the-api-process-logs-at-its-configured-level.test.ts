import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.ts";
import { startProcess, waitForHttpOk } from "../support/processes.ts";
import { createDatabase, requireEnv } from "../support/stack.ts";

interface LogLine {
  level: number;
  msg: string;
}

/** Every line the API process logs from its start to a SIGTERM stop, at `logLevel`. */
async function logOfOneRun(logLevel: string): Promise<LogLine[]> {
  const port = await freePort();
  const api = startProcess("api-log-level", "api/main.ts", {
    DATABASE_URL: await createDatabase("apilog"),
    KUBECONFIG: requireEnv("KUBECONFIG"),
    API_HOST: "127.0.0.1",
    API_PORT: String(port),
    LOG_LEVEL: logLevel,
  });
  await waitForHttpOk(api, `http://127.0.0.1:${port}/livez`);
  expect(await api.stop()).toBe(0);
  return readFileSync(api.logFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LogLine);
}

// pino's number for "warn"; "info" is 30.
const warnLevel = 40;

describe("the API process", () => {
  it("logs at LOG_LEVEL from its first line to its last, the stop included", async () => {
    const atInfo = await logOfOneRun("info");
    expect(atInfo.map((line) => line.msg)).toContain("stopping");

    const atWarn = await logOfOneRun("warn");
    expect(atWarn.filter((line) => line.level < warnLevel)).toEqual([]);
  });
});
