import type { GitHub } from "./types.js";

/**
 * Who Baton is on GitHub: the app's id and its bot login (`<slug>[bot]`). Trust in GitHub
 * state starts here: only what this app wrote is an artifact, a status or a verdict.
 */
export interface AppIdentity {
  id: number;
  botLogin: string;
}

/** What GitHub says about who wrote a comment, a review or an event. */
export interface Authored {
  user?: { login: string } | null;
  actor?: { login: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/**
 * True when the app itself wrote it: `performed_via_github_app` is this app, or the author
 * is its bot. A person can copy Baton's markers into a comment, never its authorship.
 */
export function isByApp(item: Authored, app: AppIdentity): boolean {
  if (item.performed_via_github_app?.id === app.id) return true;
  return (item.user ?? item.actor)?.login === app.botLogin;
}

/**
 * Reads the app's identity once (`GET /app`, authenticated as the app) and remembers it;
 * a failed read is not remembered, so the next call tries again.
 */
export function appIdentityOf(auth: () => Promise<GitHub>): () => Promise<AppIdentity> {
  let identity: Promise<AppIdentity> | undefined;
  return () =>
    (identity ??= auth()
      .then((app) => app.rest.apps.getAuthenticated())
      .then(({ data }) => ({ id: Number(data?.id), botLogin: `${data?.slug}[bot]` }))
      .catch((error: unknown) => {
        identity = undefined;
        throw error;
      }));
}
