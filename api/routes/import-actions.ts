import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import type { StoredImageImport } from "../../lib/imageimport/index.ts";
import { ApiError, ApiErrors } from "../errors.ts";
import { importState, importView, isFinished } from "../imports/import-view.ts";
import type { ImageImportPatch } from "../kubernetes/image-imports.ts";
import type { Services } from "../services.ts";
import { errorResponses } from "../schemas/common.ts";
import { ImportEnvelope, ImportParams } from "../schemas/imports.ts";

const schema = (summary: string, ...errors: number[]) => ({
  tags: ["imports"],
  summary,
  params: ImportParams,
  response: { 200: ImportEnvelope, ...errorResponses(400, 403, 404, 422, ...errors) },
});

// A retry re-reads and re-patches this often when the object changes under it (status writes do that).
const retryAttempts = 3;

/** cancel, suspend, resume and retry-failed: each a change to the ImageImport's spec (verb `patch`). */
export const importActionRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  const { authorizer, imports, db } = services;

  const specRoute = (action: string, summary: string, spec: ImageImportPatch["spec"]) =>
    app.post(`/api/imports/:namespace/:name/${action}`, { schema: schema(summary) }, async (request) => {
      const { namespace, name } = request.params;
      await authorizer.require(request.principal, "patch", namespace);
      return { success: true as const, data: importView(await imports.patch(namespace, name, { spec })) };
    });

  specRoute("cancel", "Cancel an import for good (queued files are dropped, stored images stay)", {
    cancel: true,
  });
  specRoute("suspend", "Pause an import (files in flight finish)", { suspend: true });
  specRoute("resume", "Resume a suspended import where it stopped", { suspend: false });

  async function failedFileCount(uid: string): Promise<number> {
    const row = await db
      .selectFrom("import_files")
      .select((eb) => eb.fn.countAll<string>().as("failed"))
      .where("import_uid", "=", uid)
      .where("state", "=", "failed")
      .executeTakeFirstOrThrow();
    return Number(row.failed);
  }

  /** Raises spec.retryGeneration by one, guarded by the resourceVersion it read so no retry is lost. */
  async function requestRetry(namespace: string, name: string): Promise<StoredImageImport> {
    let requestedFrom: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const current = await imports.get(namespace, name);
      const generation = current.spec.retryGeneration ?? 0;
      // Someone else's retry got in between our read and our patch: theirs is ours.
      if (requestedFrom !== undefined && generation > requestedFrom) return current;
      requestedFrom ??= generation;
      const state = importState(current);
      if (state === "cancelled") throw ApiErrors.importCancelled(namespace, name);
      if (!isFinished(state)) throw ApiErrors.importNotFinished(namespace, name);
      if ((await failedFileCount(current.metadata.uid)) === 0) throw ApiErrors.noFailedFiles(namespace, name);
      try {
        return await imports.patch(namespace, name, {
          metadata: { resourceVersion: current.metadata.resourceVersion ?? "" },
          spec: { retryGeneration: generation + 1 },
        });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === "CONFLICT") || attempt >= retryAttempts)
          throw error;
      }
    }
  }

  app.post(
    "/api/imports/:namespace/:name/retry-failed",
    { schema: schema("Retry the failed files of a finished import", 409) },
    async (request) => {
      const { namespace, name } = request.params;
      await authorizer.require(request.principal, "patch", namespace);
      return { success: true as const, data: importView(await requestRetry(namespace, name)) };
    },
  );
  done();
};
