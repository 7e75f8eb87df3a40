import type { StackEnv } from "./stack.ts";

/** What a newcomer types next, printed by `make up`. */
export function demoInstructions(env: StackEnv): string {
  return `
Import the demo folder with kubectl:

  source .local/env
  kubectl apply -f - <<YAML
  apiVersion: imagesync.io/v1alpha1
  kind: ImageImport
  metadata:
    name: demo
    namespace: default
  spec:
    source:
      googleDrive:
        folderUrl: ${env.DEMO_FOLDER_URL}
  YAML
  kubectl get imageimports -w          # Phase goes Listing → Running → Succeeded

or with the REST API:

  curl -s -X POST "$IMAGESYNC_API_URL/api/imports" -H "Authorization: Bearer $IMAGESYNC_API_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"folderUrl": "${env.DEMO_FOLDER_URL}", "name": "demo-api"}'
  curl -s "$IMAGESYNC_API_URL/api/images?limit=5" -H "Authorization: Bearer $IMAGESYNC_API_TOKEN"

Images land in the S3 bucket ${env.S3_BUCKET} at ${env.S3_ENDPOINT} (keys <namespace>/<name>/...); their
records are in PostgreSQL: psql "$DATABASE_URL" -c 'select name, width, height, object_key from images'.
Metrics: ${env.OPERATOR_METRICS_URL}, ${env.WORKER_METRICS_URL}, $IMAGESYNC_API_URL/metrics.
API docs: ${env.IMAGESYNC_API_URL}/docs. Logs: .local/log/. Stop everything: make down.
`;
}
