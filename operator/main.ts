// The operator process: `node operator/main.ts`. Reads the environment (nowhere else does), starts the
// operator, and on SIGTERM/SIGINT stops leading (handing the lease over) and closes everything.
import { hostname } from "node:os";
import { createLogger } from "../lib/log/index.ts";
import { ConfigError, loadOperatorConfig } from "./config.ts";
import { startOperator } from "./operator.ts";

let config;
try {
  config = loadOperatorConfig(process.env, process.env.HOSTNAME ?? hostname());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const logger = createLogger("operator", config.logLevel);
const operator = await startOperator(config, logger, {
  onLeadershipLost: () => {
    logger.error("lost the leader lease; exiting so a fresh process campaigns again");
    process.exit(1);
  },
});

let shuttingDown = false;
const shutDown = (signal: string): void => {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info("shutting down", { signal });
  const forced = setTimeout(() => {
    logger.error("shutdown took longer than 25 s; exiting");
    process.exit(1);
  }, 25_000);
  forced.unref();
  operator.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error("shutdown failed", { error });
      process.exit(1);
    },
  );
};
process.once("SIGTERM", () => shutDown("SIGTERM"));
process.once("SIGINT", () => shutDown("SIGINT"));
