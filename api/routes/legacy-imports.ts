import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import type { StoredImageImport } from "../../lib/imageimport/index.ts";
import { principalName } from "../auth/principal.ts";
import { ApiError, ApiErrors } from "../errors.ts";
import { importState, isoTime } from "../imports/import-view.ts";
import { newImageImport } from "../imports/new-import.ts";
import { findJob } from "../jobs/job-queries.ts";
import { legacyJobProgress, legacyJobStatus, type JobCounts } from "../jobs/legacy-job.ts";
import type { Services } from "../services.ts";
import { legacyErrorResponses } from "../schemas/common.ts";
import { JobParams, LegacyImportBody, LegacyImportStarted, LegacyJobEnvelope } from "../schemas/legacy.ts";

const tags = ["legacy"];

/**
 * The older system's import routes: a job is an ImageImport in the default namespace, its id the
 * resource's uid. Job history comes from PostgreSQL, so it outlives the resource.
 */
export const legacyImportRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  const { authorizer, imports, db, defaultNamespace } = services;

  app.post(
    "/api/import/google-drive",
    {
      config: { legacy: true },
      schema: {
        tags,
        summary: "Start an import (older API): an ImageImport in the default namespace",
        body: LegacyImportBody,
        response: { 201: LegacyImportStarted, ...legacyErrorResponses(400, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      let resource;
      try {
        resource = newImageImport({ folderUrl: request.body.folderUrl });
      } catch (error) {
        if (error instanceof ApiError)
          throw ApiErrors.invalidFolderUrl(`Invalid Google Drive URL: ${error.message}`);
        throw error;
      }
      await authorizer.require(request.principal, "create", defaultNamespace);
      const created = await imports.create(defaultNamespace, resource);
      void reply.code(201);
      return {
        success: true as const,
        jobId: created.metadata.uid,
        message: "Import job started successfully",
        status: "waiting" as const,
      };
    },
  );

  app.post(
    "/api/import/dropbox",
    {
      config: { legacy: true },
      schema: { tags, summary: "Dropbox import (never implemented)", response: legacyErrorResponses(501) },
    },
    () => {
      throw ApiErrors.notImplemented(
        "Dropbox import is not supported: ImageSync imports Google Drive folders only",
      );
    },
  );

  /** A job the operator has not recorded yet: the fresh ImageImport in the default namespace. */
  async function unrecordedJob(jobId: string): Promise<StoredImageImport | undefined> {
    let continueToken: string | undefined;
    do {
      const page = await imports.list(defaultNamespace, 500, continueToken);
      const match = page.items.find((item) => item.metadata.uid === jobId);
      if (match !== undefined) return match;
      continueToken = page.continueToken;
    } while (continueToken !== undefined);
    return undefined;
  }

  function jobBody(
    id: string,
    status: ReturnType<typeof legacyJobStatus>,
    counts: JobCounts,
    startedAt: string,
    updatedAt: string,
  ) {
    return {
      success: true as const,
      job: {
        id,
        status,
        progress: legacyJobProgress(status, counts),
        totalImages: counts.total,
        processedImages: counts.processed,
        failedImages: counts.failed,
        startedAt,
        updatedAt,
      },
    };
  }

  app.get(
    "/api/jobs/:jobId",
    {
      config: { legacy: true },
      schema: {
        tags,
        summary: "An import's progress (older API)",
        params: JobParams,
        response: { 200: LegacyJobEnvelope, ...legacyErrorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const { jobId } = request.params;
      const user = principalName(request.principal);
      const job = await findJob(db, jobId);
      if (job !== undefined) {
        if (!(await authorizer.allows(request.principal, "get", job.row.namespace)))
          throw ApiErrors.forbiddenForJob(user, jobId);
        const { row, counts } = job;
        return jobBody(
          jobId,
          legacyJobStatus(row.state),
          counts,
          (row.started_at ?? row.created_at).toISOString(),
          row.updated_at.toISOString(),
        );
      }
      // Between creation and the operator's first reconcile the job exists only as the resource.
      if (!(await authorizer.allows(request.principal, "get", defaultNamespace)))
        throw ApiErrors.jobNotFound(jobId);
      const resource = await unrecordedJob(jobId);
      if (resource === undefined) throw ApiErrors.jobNotFound(jobId);
      const progress = resource.status?.progress ?? {};
      const created = isoTime(resource.metadata.creationTimestamp) ?? services.now().toISOString();
      return jobBody(
        jobId,
        legacyJobStatus(importState(resource)),
        {
          total: progress.total ?? 0,
          processed:
            (progress.succeeded ?? 0) +
            (progress.failed ?? 0) +
            (progress.skipped ?? 0) +
            (progress.unchanged ?? 0),
          failed: progress.failed ?? 0,
        },
        resource.status?.startTime ?? created,
        created,
      );
    },
  );
  done();
};
