import { sql, type Kysely } from "kysely";
import type { Database, ImportState } from "../../lib/db/index.ts";
import { importStates } from "../schemas/imports.ts";

/** Catalogue and import figures over the namespaces a caller may read (undefined: all). */
export interface CatalogueStats {
  totalImages: number;
  totalBytes: number;
  bySource: Record<string, number>;
  byMimeType: Record<string, number>;
  importsByState: Record<ImportState, number>;
  totalImports: number;
  lastImport: Date | null;
}

/** Counts images (one scan, grouped three ways) and imports by state. */
export async function catalogueStats(
  db: Kysely<Database>,
  namespaces: string[] | undefined,
): Promise<CatalogueStats> {
  const inNamespaces =
    namespaces === undefined
      ? sql<boolean>`true`
      : sql<boolean>`import_uid IN (SELECT uid FROM imports WHERE namespace = ANY(${namespaces}))`;
  const importsInNamespaces =
    namespaces === undefined ? sql<boolean>`true` : sql<boolean>`namespace = ANY(${namespaces})`;

  const [images, imports] = await Promise.all([
    sql<{ source: string | null; mime_type: string | null; images: string; bytes: string | null }>`
      SELECT source, mime_type, count(*) AS images, sum(size) AS bytes
      FROM images WHERE ${inNamespaces}
      GROUP BY GROUPING SETS ((), (source), (mime_type))`.execute(db),
    sql<{ state: ImportState | null; imports: string; last_import: Date | null }>`
      SELECT state, count(*) AS imports, max(created_at) AS last_import
      FROM imports WHERE ${importsInNamespaces}
      GROUP BY GROUPING SETS ((), (state))`.execute(db),
  ]);

  const stats: CatalogueStats = {
    totalImages: 0,
    totalBytes: 0,
    bySource: {},
    byMimeType: {},
    importsByState: Object.fromEntries(importStates.map((state) => [state, 0])) as Record<
      ImportState,
      number
    >,
    totalImports: 0,
    lastImport: null,
  };
  for (const row of images.rows) {
    const count = Number(row.images);
    if (row.source !== null) stats.bySource[row.source] = count;
    else if (row.mime_type !== null) stats.byMimeType[row.mime_type] = count;
    else {
      stats.totalImages = count;
      stats.totalBytes = Number(row.bytes ?? 0);
    }
  }
  for (const row of imports.rows) {
    if (row.state !== null) stats.importsByState[row.state] = Number(row.imports);
    else {
      stats.totalImports = Number(row.imports);
      stats.lastImport = row.last_import;
    }
  }
  return stats;
}
