export { defaultObjectPrefix, objectKeyFor, sanitizeSegment } from "./object-key.ts";
export { createS3Client, type S3Settings } from "./s3-client.ts";
