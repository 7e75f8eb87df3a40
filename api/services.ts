import type { S3Client } from "@aws-sdk/client-s3";
import type { Kysely } from "kysely";
import type { Database } from "../lib/db/index.ts";
import type { Authorizer } from "./auth/authorizer.ts";
import type { ObjectUrls } from "./images/object-urls.ts";
import type { ImageImportClient } from "./kubernetes/image-imports.ts";
import type { ApiMetrics } from "./plugins/metrics.ts";

/** What the route plugins work with; buildApp assembles it from its dependencies. */
export interface Services {
  db: Kysely<Database>;
  s3: S3Client;
  imports: ImageImportClient;
  authorizer: Authorizer;
  objectUrls: ObjectUrls;
  metrics: ApiMetrics;
  /** Where the older POST /api/import/google-drive creates its ImageImports. */
  defaultNamespace: string;
  /** How often an idle event stream sends a keep-alive comment. */
  eventStreamKeepAliveMs: number;
  now: () => Date;
  startedAt: Date;
}
