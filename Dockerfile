# syntax=docker/dockerfile:1
# One image, three processes, compiled to JavaScript (`make build`): type stripping at run time would cost
# each process ~25 MiB of memory (operator/README.md).
#   docker run IMAGE dist/operator/main.js | dist/worker/main.js | dist/api/main.js   (and dist/tools/fake-drive/cli.js)
# NODE_VERSION: the major (or exact) version from hack/versions.env; the local stack runs the same major.
ARG NODE_VERSION=24

# Production dependencies only, installed exactly as package-lock.json pins them.
FROM node:${NODE_VERSION} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The TypeScript sources compiled to dist/, with the dev dependencies (tsc) this stage alone has.
FROM node:${NODE_VERSION} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY operator ./operator
COPY worker ./worker
COPY api ./api
COPY tools/fake-drive ./tools/fake-drive
RUN npx tsc -p tsconfig.build.json

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the process user; the chart mounts a writable /tmp.
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY crds ./crds
COPY --from=build /app/dist ./dist
# The image's "node" user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
ENTRYPOINT ["node"]
CMD ["dist/operator/main.js"]
LABEL org.opencontainers.image.title="imagesync" \
      org.opencontainers.image.description="Imports images from Google Drive folders into S3-compatible storage" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/imagesync/imagesync"
