import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * One access-log line per request, once it is answered, with the request's method, URL and client beside
 * the status and milliseconds. Fastify's default writes a second line on arrival that says nothing the
 * answer's line does not: half the volume of a busy API's log. Routes with their own logLevel (probes,
 * /metrics) stay quiet as before.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, "request errored");
    else reply.log.info(fields, "request completed");
  }
}
