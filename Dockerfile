# Multi-stage build: compile TypeScript, then run the compiled API with production deps only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.yml ./
COPY src ./src
# The explorer page (/explorer): bundled by `npm run build` into explorer/dist.
COPY explorer ./explorer
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/app/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/explorer/dist ./explorer/dist
COPY package.json ./
COPY cypher ./cypher
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 4000
# A young generation of up to 2 × 64 MB holds the short-lived objects of a large answer (thousands
# of hops), so they die young instead of being promoted and swept by full collections.
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
