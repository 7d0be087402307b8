import type { Permission } from "../config/schema.js";
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
