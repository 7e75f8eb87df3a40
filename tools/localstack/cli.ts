/**
 * The local stack: real servers as loopback processes, data under one git-ignored folder.
 *
 *   node tools/localstack/cli.ts up|down|status [--dir .local] [--bin .local/bin] [--port-base 17100] [--servers-only]
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { stackLayout } from "./layout.ts";
import { demoInstructions } from "./demo-instructions.ts";
import { downStack, envFilePath, stackStatus, upStack } from "./stack.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: "string", default: process.env.IMAGESYNC_LOCAL_DIR ?? ".local" },
    bin: { type: "string", default: process.env.IMAGESYNC_BIN_DIR ?? ".local/bin" },
    "port-base": { type: "string", default: process.env.IMAGESYNC_PORT_BASE ?? "17100" },
    "servers-only": { type: "boolean", default: false },
  },
});

const portBase = Number(values["port-base"]);
if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65_000) {
  console.error(`--port-base must be a whole number from 1024 to 65000, got "${values["port-base"]}"`);
  process.exit(2);
}
const layout = stackLayout(resolve(values.dir), resolve(values.bin), portBase);

switch (positionals[0]) {
  case "up": {
    const env = await upStack(layout, { apps: !values["servers-only"] });
    console.log(`local stack is up (data and logs: ${layout.dir})`);
    for (const [name, value] of Object.entries(env)) {
      if (!/SECRET|TOKEN/.test(name)) console.log(`  ${name}=${value}`);
    }
    console.log(
      `\nsource ${envFilePath(layout)}   # then kubectl, psql "$DATABASE_URL" and S3 clients use it`,
    );
    if (env.DEMO_FOLDER_URL !== undefined) console.log(demoInstructions(env));
    break;
  }
  case "down": {
    const stopped = await downStack(layout);
    console.log(stopped.length > 0 ? `stopped: ${stopped.join(", ")}` : "nothing was running");
    break;
  }
  case "status": {
    for (const [name, pid] of Object.entries(stackStatus(layout))) {
      console.log(`${name.padEnd(16)} ${pid === undefined ? "stopped" : `running (pid ${pid})`}`);
    }
    break;
  }
  default:
    console.error("usage: cli.ts up|down|status [--dir DIR] [--bin DIR] [--port-base N]");
    process.exit(2);
}
