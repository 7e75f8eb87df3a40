import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { importFileView, listImportFiles } from "../imports/import-files.ts";
import { importState, importView } from "../imports/import-view.ts";
import { newImageImport } from "../imports/new-import.ts";
import type { Services } from "../services.ts";
import { errorResponses, MessageEnvelope } from "../schemas/common.ts";
import {
  CreateImportBody,
  ImportEnvelope,
  ImportFilesEnvelope,
  ImportFilesQuery,
  ImportListEnvelope,
  ImportParams,
  ListImportsQuery,
} from "../schemas/imports.ts";

const tags = ["imports"];

/** Create, list, read and delete ImageImports, and list an import's files. */
export const importRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  const { authorizer, imports, db } = services;

  app.post(
    "/api/imports",
    {
      schema: {
        tags,
        summary: "Start an import: create an ImageImport",
        body: CreateImportBody,
        response: { 201: ImportEnvelope, ...errorResponses(400, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const namespace = request.body.namespace ?? services.defaultNamespace;
      const resource = newImageImport(request.body);
      await authorizer.require(request.principal, "create", namespace);
      const created = await imports.create(namespace, resource);
      void reply
        .code(201)
        .header("location", `/api/imports/${created.metadata.namespace}/${created.metadata.name}`);
      return { success: true as const, data: importView(created) };
    },
  );

  app.get(
    "/api/imports",
    {
      schema: {
        tags,
        summary: "List imports, in one namespace or in every namespace the caller may list",
        querystring: ListImportsQuery,
        response: { 200: ImportListEnvelope, ...errorResponses(400, 403) },
      },
    },
    async (request) => {
      const { namespace, state, limit } = request.query;
      if (namespace !== undefined) await authorizer.require(request.principal, "list", namespace);
      const page = await imports.list(namespace, limit, request.query.continue);
      // Across namespaces the API lists with its own identity, then keeps what the caller may list.
      const scope =
        namespace === undefined
          ? await authorizer.scope(request.principal, "list", () =>
              Promise.resolve([...new Set(page.items.map((item) => item.metadata.namespace))]),
            )
          : { all: true as const };
      const visible = page.items.filter(
        (item) =>
          (scope.all || scope.namespaces.includes(item.metadata.namespace)) &&
          (state === undefined || importState(item) === state),
      );
      return {
        success: true as const,
        data: visible.map(importView),
        pagination: { limit, continue: page.continueToken ?? null },
      };
    },
  );

  app.get(
    "/api/imports/:namespace/:name",
    {
      schema: {
        tags,
        summary: "Read one import: state, counters, conditions, recent failures",
        params: ImportParams,
        response: { 200: ImportEnvelope, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const { namespace, name } = request.params;
      await authorizer.require(request.principal, "get", namespace);
      return { success: true as const, data: importView(await imports.get(namespace, name)) };
    },
  );

  app.delete(
    "/api/imports/:namespace/:name",
    {
      schema: {
        tags,
        summary: "Delete an import (its stored images stay)",
        params: ImportParams,
        response: { 202: MessageEnvelope, ...errorResponses(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const { namespace, name } = request.params;
      await authorizer.require(request.principal, "delete", namespace);
      await imports.delete(namespace, name);
      void reply.code(202);
      return {
        success: true as const,
        message: `ImageImport ${namespace}/${name} is being deleted; its queued files are dropped, stored images stay`,
      };
    },
  );

  app.get(
    "/api/imports/:namespace/:name/files",
    {
      schema: {
        tags,
        summary: "List an import's files and their state (e.g. ?state=failed)",
        params: ImportParams,
        querystring: ImportFilesQuery,
        response: { 200: ImportFilesEnvelope, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const { namespace, name } = request.params;
      const { state, limit, cursor } = request.query;
      const afterFileId =
        cursor === undefined ? undefined : decodeCursor("files", cursor, (key) => key.length > 0);
      await authorizer.require(request.principal, "get", namespace);
      const resource = await imports.get(namespace, name);
      const page = await listImportFiles(db, { importUid: resource.metadata.uid, state, limit, afterFileId });
      const last = page.rows.at(-1);
      return {
        success: true as const,
        data: page.rows.map(importFileView),
        pagination: {
          limit,
          nextCursor: page.hasMore && last !== undefined ? encodeCursor("files", last.file_id) : null,
        },
      };
    },
  );
  done();
};
