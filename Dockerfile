# Build stage: compile TypeScript to dist/ with the dev dependencies.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: dist/ and production dependencies only (no TypeScript, no tsx).
FROM node:20-slim
# git: clones and pushes; bubblewrap and socat: the sandbox the implement stage runs agent
# CLIs in (see docs/configuration.md); the agent CLIs themselves, installed globally.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates bubblewrap socat \
  && rm -rf /var/lib/apt/lists/* \
  && npm install -g --no-audit --no-fund @anthropic-ai/claude-code @openai/codex \
  && npm cache clean --force
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
# As `npm start`: a bounded heap keeps the process near its working set (see README, "Memory").
CMD ["node", "--max-old-space-size=160", "--max-semi-space-size=16", "dist/main.js"]
