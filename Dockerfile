# One image for the TypeScript services of docker-compose.yml: the order service and the alert relay. Node 24
# runs the .ts sources directly (type stripping), so there is no build step.
FROM node:24.11.1-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# The relay draws alert graphs (resvg), which needs a font for their text; the slim image has none.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a source change does not reinstall them. Install scripts stay off: the only one
# (embedded PostgreSQL's binaries) is not needed, Compose runs a real PostgreSQL server.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Runtime code only: the two services and the helpers they share. Dev code (stack/, test/, bench/, compose/) stays
# out; test/runtime-imports.test.ts checks that these folders hold everything service/main.ts and
# alertmanager/relay/main.ts load.
COPY --chown=node:node common ./common
COPY --chown=node:node service ./service
COPY --chown=node:node alertmanager/relay ./alertmanager/relay
# The relay's durable outbox: a named volume mounted here keeps this owner.
RUN mkdir -p /var/lib/alert-relay && chown node:node /var/lib/alert-relay

USER node
# The order service by default; docker-compose.yml runs the relay from the same image with another command.
EXPOSE 8080 9464 9095
CMD ["node", "service/main.ts"]
