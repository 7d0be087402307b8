import { SandboxError } from "./world.js";
import type { Repo, Token } from "./state.js";

/** What the sandbox app is granted on every installation; a minted token may ask for less. */
export const INSTALLATION_PERMISSIONS: Readonly<Record<string, "read" | "write">> = {
  issues: "write",
  pull_requests: "write",
  contents: "write",
  checks: "write",
  metadata: "read",
};

/** The permission (any one of `names`) a REST call under `/repos/{owner}/{repo}` needs, as GitHub documents it per endpoint. */
function requiredPermission(method: string, path: string): { names: string[]; level: "read" | "write" } | undefined {
  const rest = path.split("/").slice(4).join("/");
  const level = method === "GET" ? "read" : "write";
  if (rest === "" || rest.startsWith("collaborators/")) return undefined; // metadata: every token has it
  if (/^pulls\/[^/]+\/merge$/.test(rest)) return { names: ["contents"], level };
  if (rest.startsWith("pulls")) return { names: ["pull_requests"], level };
  if (rest.startsWith("issues") || rest.startsWith("labels")) return { names: ["issues", "pull_requests"], level };
  if (rest.startsWith("check-runs")) return { names: ["checks"], level };
  if (rest.startsWith("contents/") || rest.startsWith("branches/")) return { names: ["contents"], level };
  return undefined;
}

const grants = (token: Token, name: string, level: "read" | "write") =>
  token.permissions[name] === "write" || (level === "read" && token.permissions[name] === "read");

/** A token minted for some repositories only does not see the others (GitHub answers 404). */
export function tokenSees(token: Token, repo: Repo): boolean {
  return !token.repositoryIds || token.repositoryIds.includes(repo.id);
}

/** Refuses a REST call the token's repositories or permissions do not cover, the way GitHub does. */
export function checkRestScope(token: Token, repo: Repo | undefined, method: string, path: string): void {
  if (repo && !tokenSees(token, repo))
    throw new SandboxError({ status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } });
  const need = requiredPermission(method, path);
  if (need && !need.names.some((name) => grants(token, name, need.level))) {
    throw new SandboxError({ status: 403, body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" } });
  }
}

/** Whether a token may fetch (`read`) or push (`write`) a repository over git. */
export function gitAllowed(token: Token, repo: Repo, level: "read" | "write"): boolean {
  return tokenSees(token, repo) && grants(token, "contents", level);
}
