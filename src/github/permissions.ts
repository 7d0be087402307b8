import type { Permission } from "../config/schema.js";
import { keys, type Runtime } from "../runtime.js";
import type { GitHub, IssueRef } from "./types.js";

const RANK: Record<Permission | "none", number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** A user's role on the repository (`role_name`: admin, maintain, write, triage, read, or none). */
export async function readRole(github: GitHub, ref: IssueRef, login: string): Promise<Permission | "none"> {
  try {
    const { data } = await github.rest.repos.getCollaboratorPermissionLevel({
      owner: ref.owner,
      repo: ref.repo,
      username: login,
    });
    const role = (data as { role_name?: string }).role_name ?? data.permission;
    return role in RANK ? (role as Permission) : "none";
  } catch (error) {
    // 404: not a collaborator (or no such user): the lowest role, not a failure.
    if ((error as { status?: number }).status === 404) return "none";
    throw error;
  }
}

export function hasAtLeast(role: Permission | "none", minimum: Permission): boolean {
  return RANK[role] >= RANK[minimum];
}

/** The higher of two minimum permissions. */
export function higherOf(a: Permission, b: Permission): Permission {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * How long a person's role on a repository is trusted before it is read again: a permission
 * taken away stops working within a minute.
 */
export const ROLE_TTL_S = 60;

/** A person's role, cached a minute: one person labelling many issues costs one request. */
export async function cachedRole(rt: Runtime, github: GitHub, ref: IssueRef, login: string): Promise<Permission | "none"> {
  const key = keys.role(rt, ref.repoId, login);
  const cached = await rt.redis.get(key);
  if (cached) return cached as Permission | "none";
  const role = await readRole(github, ref, login);
  await rt.redis.set(key, role, "EX", ROLE_TTL_S);
  return role;
}
