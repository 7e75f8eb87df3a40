import type { FastifyPluginCallbackTypebox } from "@fastify/type-provider-typebox";
import { principalName } from "../auth/principal.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { ApiErrors } from "../errors.ts";
import { deleteImage } from "../images/delete-image.ts";
import { findImage, listImages, type ImageFilters } from "../images/image-queries.ts";
import { imageIdOf, imageItem } from "../images/image-view.ts";
import type { Services } from "../services.ts";
import { legacyErrorResponses, MessageEnvelope } from "../schemas/common.ts";
import { ImageEnvelope, ImageListEnvelope, ImageParams, ListImagesQuery } from "../schemas/images.ts";
import { readableNamespaces } from "../visibility.ts";

const tags = ["images", "legacy"];
const isImageId = (key: string) => /^[1-9][0-9]{0,17}$/.test(key);

/**
 * The image catalogue. These are the older system's routes grown new filters, so they keep its shapes
 * (snake_case items, `{success, error}` errors). A caller sees the images of the namespaces where RBAC
 * lets them list imageimports; reading one needs `get`, deleting one `delete`, in its namespace.
 */
export const imageRoutes: FastifyPluginCallbackTypebox<{ services: Services }> = (
  app,
  { services },
  done,
) => {
  const { authorizer, db } = services;

  app.get(
    "/api/images",
    {
      config: { legacy: true },
      schema: {
        tags,
        summary: "List images (offset or keyset pages, newest first)",
        querystring: ListImagesQuery,
        response: { 200: ImageListEnvelope, ...legacyErrorResponses(400, 403) },
      },
      // A page is up to a thousand items of two dozen fields that imageItem builds one by one, so the
      // schema-driven serializer only re-checks what the types already hold; it escapes every string in
      // JavaScript and leaves a rope that is flattened again to count its bytes. V8's JSON.stringify writes
      // the same text in half the time. The schemas still document the route.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const query = request.query;
      if (query.cursor !== undefined && query.offset > 0) {
        throw ApiErrors.invalidRequest(
          "use either cursor or offset, not both: a cursor already marks where the page starts",
        );
      }
      const createdAfter = query.createdAfter === undefined ? undefined : new Date(query.createdAfter);
      const createdBefore = query.createdBefore === undefined ? undefined : new Date(query.createdBefore);
      if (createdAfter !== undefined && createdBefore !== undefined && createdAfter >= createdBefore) {
        throw ApiErrors.invalidRequest("createdAfter must be earlier than createdBefore");
      }
      const beforeId =
        query.cursor === undefined ? undefined : decodeCursor("images", query.cursor, isImageId);

      let namespaces = await readableNamespaces(authorizer, db, request.principal, query.namespace);
      if (query.importId !== undefined) {
        // An import's images are readable where its namespace is; an unknown import simply has none.
        const owner = await db
          .selectFrom("imports")
          .select("namespace")
          .where("uid", "=", query.importId)
          .executeTakeFirst();
        const readable =
          owner !== undefined && (namespaces === undefined || namespaces.includes(owner.namespace));
        namespaces = readable ? namespaces : [];
      }
      const filters: ImageFilters = {
        namespaces,
        importId: query.importId,
        source: query.source,
        mimeType: query.mimeType,
        folderPath: query.folderPath,
        createdAfter,
        createdBefore,
      };
      const includeTotal = query.includeTotal ?? query.cursor === undefined;
      const [page, urls] = await Promise.all([
        listImages(db, { filters, limit: query.limit, offset: query.offset, beforeId, includeTotal }),
        services.objectUrls.signer(services.now()),
      ]);
      const last = page.rows.at(-1);
      return {
        success: true as const,
        data: page.rows.map((row) => imageItem(row, urls.urlFor(row.bucket, row.object_key))),
        pagination: {
          total: page.total ?? null,
          limit: query.limit,
          offset: query.offset,
          hasMore: page.hasMore,
          nextCursor: page.hasMore && last !== undefined ? encodeCursor("images", imageIdOf(last)) : null,
        },
      };
    },
  );

  app.get(
    "/api/images/:id",
    {
      config: { legacy: true },
      schema: {
        tags,
        summary: "Read one image, with a short-lived download URL",
        params: ImageParams,
        response: { 200: ImageEnvelope, ...legacyErrorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const found = await findImage(db, id);
      if (found === undefined) throw ApiErrors.imageNotFound(id);
      if (!(await authorizer.allows(request.principal, "get", found.namespace ?? undefined))) {
        throw ApiErrors.forbiddenForImage(principalName(request.principal), "get", id);
      }
      const urls = await services.objectUrls.signer(services.now());
      const item = imageItem(found.image, urls.urlFor(found.image.bucket, found.image.object_key));
      return {
        success: true as const,
        data: {
          ...item,
          downloadUrl: item.storage_path,
          downloadUrlExpiresAt: urls.expiresAt?.toISOString() ?? null,
        },
      };
    },
  );

  app.delete(
    "/api/images/:id",
    {
      config: { legacy: true },
      schema: {
        tags,
        summary: "Delete an image: its object, then its record",
        params: ImageParams,
        response: {
          200: MessageEnvelope,
          ...legacyErrorResponses(400, 403, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const found = await findImage(db, id);
      if (found === undefined) throw ApiErrors.imageNotFound(id);
      if (!(await authorizer.allows(request.principal, "delete", found.namespace ?? undefined))) {
        throw ApiErrors.forbiddenForImage(principalName(request.principal), "delete", id);
      }
      if (!(await deleteImage(db, services.s3, id))) throw ApiErrors.imageNotFound(id);
      return { success: true as const, message: `image ${id} deleted` };
    },
  );
  done();
};
