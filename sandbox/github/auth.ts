import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { Actor } from "./http.js";
import type { SandboxState } from "./state.js";

/** A person's token in the sandbox: `ghp_sandbox_<login>` (documented in sandbox/README.md). */
export const PERSON_TOKEN_PREFIX = "ghp_sandbox_";

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** Verifies an app JWT (RS256, `iss` = the app id, not expired). */
export function verifyAppJwt(jwt: string, publicKey: KeyObject, appId: number): boolean {
  const [header, payload, signature] = jwt.split(".");
  if (!header || !payload || !signature) return false;
  try {
    if (JSON.parse(base64url(header).toString()).alg !== "RS256") return false;
    if (!verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), publicKey, base64url(signature))) return false;
    const claims = JSON.parse(base64url(payload).toString()) as { iss?: string | number; exp?: number };
    return String(claims.iss) === String(appId) && (claims.exp ?? 0) * 1000 > Date.now() - 60_000;
  } catch {
    return false;
  }
}

/** Who is calling, from the Authorization header (`Bearer <jwt|token>`, `token <token>`, Basic for git). */
export function identify(header: string | undefined, state: SandboxState, publicKey: KeyObject, appId: number): Actor | undefined {
  if (!header) return undefined;
  const [scheme, value = ""] = header.split(" ");
  let secret = value;
  if (scheme?.toLowerCase() === "basic") secret = Buffer.from(value, "base64").toString().split(":").slice(1).join(":");
  if (secret.split(".").length === 3) return verifyAppJwt(secret, publicKey, appId) ? { kind: "app" } : undefined;
  const token = state.tokens.get(secret);
  if (token && token.expiresAt > Date.now()) return { kind: "installation", installationId: token.installationId, token };
  if (secret.startsWith(PERSON_TOKEN_PREFIX)) return { kind: "user", login: secret.slice(PERSON_TOKEN_PREFIX.length) };
  return undefined;
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}
