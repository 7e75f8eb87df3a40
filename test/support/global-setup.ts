import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { stackLayout } from "../../tools/localstack/layout.ts";
import { downStack, readEnvFile, upStack, type StackEnv } from "../../tools/localstack/stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackEnv;
  }
}

/**
 * Integration tests run against real servers: a running stack's env file (IMAGESYNC_STACK_ENV), or a
 * stack of their own started here and stopped afterwards (IMAGESYNC_KEEP_STACK=1 keeps it for reruns).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const reuse = process.env.IMAGESYNC_STACK_ENV;
  if (reuse !== undefined && reuse !== "") {
    project.provide("stack", readEnvFile(reuse));
    return undefined;
  }
  const layout = stackLayout(
    resolve(process.env.IMAGESYNC_TEST_DIR ?? ".local/test"),
    resolve(process.env.IMAGESYNC_BIN_DIR ?? ".local/bin"),
    Number(process.env.IMAGESYNC_TEST_PORT_BASE ?? "17300"),
  );
  project.provide("stack", await upStack(layout));
  if (process.env.IMAGESYNC_KEEP_STACK === "1") return undefined;
  return async () => {
    await downStack(layout);
  };
}
