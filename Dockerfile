# syntax=docker/dockerfile:1
# One image, three processes: node runs the TypeScript sources directly (type stripping, no build step).
#   docker run IMAGE operator/main.ts | worker/main.ts | api/main.ts      (and tools/fake-drive/cli.ts)
# NODE_VERSION: the major (or exact) version from hack/versions.env; the local stack runs the same major.
ARG NODE_VERSION=24

# Production dependencies only, installed exactly as package-lock.json pins them.
FROM node:${NODE_VERSION} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the process user; the chart mounts a writable /tmp.
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY crds ./crds
COPY lib ./lib
COPY operator ./operator
COPY worker ./worker
COPY api ./api
COPY tools/fake-drive ./tools/fake-drive
# The image's "node" user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
ENTRYPOINT ["node"]
CMD ["operator/main.ts"]
LABEL org.opencontainers.image.title="imagesync" \
      org.opencontainers.image.description="Imports images from Google Drive folders into S3-compatible storage" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/imagesync/imagesync"
