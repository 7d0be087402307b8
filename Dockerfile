FROM node:20-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates bubblewrap socat && rm -rf /var/lib/apt/lists/*
RUN npm install -g --no-audit --no-fund @anthropic-ai/claude-code @openai/codex
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0
USER node
CMD ["npm", "start"]
