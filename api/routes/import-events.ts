import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import { followImport } from "../imports/follow-import.ts";
import { sseFrame, sseKeepAlive } from "../imports/sse.ts";
import type { Services } from "../services.ts";
import { errorResponses } from "../schemas/common.ts";
import { ImportParams } from "../schemas/imports.ts";

/** GET .../events: Server-Sent Events with the import's status as it changes, ending when it finishes. */
export const importEventRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  const { authorizer, imports, metrics } = services;
  // Open streams, so shutting down ends them instead of waiting for imports to finish.
  const streams = new Set<AbortController>();
  app.addHook("preClose", (hookDone) => {
    for (const stream of streams) stream.abort();
    hookDone();
  });

  app.get(
    "/api/imports/:namespace/:name/events",
    {
      schema: {
        tags: ["imports"],
        summary: "Follow an import (Server-Sent Events)",
        description:
          "A text/event-stream: `status` events carry the import's view whenever it changes (the first one at once), then one `end` event when it has finished, or `deleted`; then the stream closes.",
        params: ImportParams,
        produces: ["text/event-stream"],
        response: {
          200: {
            description: "The event stream.",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errorResponses(400, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { namespace, name } = request.params;
      await authorizer.require(request.principal, "watch", namespace);
      const initial = await imports.get(namespace, name);

      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
      });
      const abort = new AbortController();
      streams.add(abort);
      stream.on("close", () => abort.abort());
      const keepAlive = setInterval(() => stream.write(sseKeepAlive), services.eventStreamKeepAliveMs);
      metrics.eventStreams.inc();
      try {
        await followImport({
          client: imports,
          initial,
          signal: abort.signal,
          rewatchDelayMs: 1_000,
          send: (event) =>
            stream.write(sseFrame(event.event, event.data, "id" in event ? event.id : undefined)),
          onWatchError: (error) => request.log.warn({ err: error }, "import watch ended; catching up"),
        });
      } catch (error) {
        request.log.error({ err: error }, "import event stream failed");
      } finally {
        clearInterval(keepAlive);
        streams.delete(abort);
        metrics.eventStreams.dec();
        stream.end();
      }
    },
  );
  done();
};
