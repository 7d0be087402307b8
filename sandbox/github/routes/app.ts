import { randomBytes } from "node:crypto";
import { invalid, notFound, ok, paginate, route, type Call, type Route } from "../http.js";
import { INSTALLATION_PERMISSIONS, tokenSees } from "../scopes.js";
import { renderApp, renderRepo, renderUser } from "../render.js";
import { SandboxError, type World } from "../world.js";

function requireApp(call: Call): void {
  if (call.actor?.kind !== "app") throw new SandboxError({ status: 401, body: { message: "A JSON web token could not be decoded" } });
}

/** The GitHub App's own routes: the app, its installations and tokens, its webhook deliveries. */
export function appRoutes(world: World): Route[] {
  const { state, urls } = world;
  const renderInstallation = (id: number) => {
    const installation = [...state.installations.values()].find((i) => i.id === id);
    if (!installation) throw new SandboxError(notFound());
    return {
      id,
      // GitHub's description requires the account to read as a user and an enterprise at once (`allOf`).
      account: {
        ...renderUser(installation.account, urls),
        name: installation.account.login,
        slug: installation.account.login,
        created_at: "2024-01-01T00:00:00Z",
        updated_at: "2024-01-01T00:00:00Z",
      },
      app_id: world.appId,
      app_slug: world.appSlug,
      target_id: installation.account.id,
      target_type: "Organization",
      repository_selection: "all",
      permissions: INSTALLATION_PERMISSIONS,
      events: ["issues", "issue_comment", "pull_request", "push"],
      access_tokens_url: `${urls.api}/app/installations/${id}/access_tokens`,
      repositories_url: `${urls.api}/installation/repositories`,
      html_url: `${urls.web}/organizations/${installation.account.login}/settings/installations/${id}`,
      single_file_name: null,
      suspended_at: null,
      suspended_by: null,
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
    };
  };
  return [
    route("GET", "/app", (call) => {
      requireApp(call);
      return ok({
        ...renderApp({ id: world.appId, slug: world.appSlug, owner: state.user("sandbox") }, urls),
        name: "Baton (sandbox)",
        permissions: {},
        events: [],
      });
    }),
    route("GET", "/app/installations", (call) => {
      requireApp(call);
      return paginate(
        call,
        [...state.installations.values()].map((i) => renderInstallation(i.id)),
      );
    }),
    route("GET", "/app/installations/{id}", (call) => {
      requireApp(call);
      return ok(renderInstallation(Number(call.params[0])));
    }),
    route("GET", "/repos/{owner}/{repo}/installation", (call) => {
      requireApp(call);
      const repo = world.requireRepo(call.params[0]!, call.params[1]!);
      return ok(renderInstallation(state.installationFor(repo.owner)!.id));
    }),
    route("POST", "/app/installations/{id}/access_tokens", (call) => {
      requireApp(call);
      const id = Number(call.params[0]);
      const account = renderInstallation(id).account.login.toLowerCase();
      // GitHub's request body: `repositories` (names) and/or `repository_ids`, and `permissions`.
      const {
        repositories,
        repository_ids: repositoryIds,
        permissions,
      } = call.body as { repositories?: string[]; repository_ids?: number[]; permissions?: Record<string, string> };
      const own = [...state.repos.values()].filter((r) => r.owner.toLowerCase() === account);
      const wanted = [
        ...(repositories ?? []).map((name) => own.find((r) => r.name.toLowerCase() === name.toLowerCase())),
        ...(repositoryIds ?? []).map((rid) => own.find((r) => r.id === rid)),
      ];
      if (wanted.some((r) => !r))
        throw new SandboxError(invalid("There is at least one repository that does not exist or is not accessible to the parent installation."));
      const granted = permissions ?? INSTALLATION_PERMISSIONS;
      for (const [name, level] of Object.entries(granted)) {
        const has = INSTALLATION_PERMISSIONS[name];
        if (!has || (level === "write" && has !== "write") || (level !== "read" && level !== "write"))
          throw new SandboxError(invalid(`The permissions requested are not granted to this installation.`));
      }
      const selected = wanted.length > 0 ? [...new Set(wanted.map((r) => r!.id))] : undefined;
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      const expiresAt = Date.now() + 3600_000;
      state.tokens.set(token, {
        installationId: id,
        expiresAt,
        permissions: { ...granted, metadata: "read" } as Record<string, "read" | "write">,
        repositoryIds: selected,
      });
      return ok(
        {
          token,
          expires_at: new Date(expiresAt).toISOString(),
          permissions: { ...granted, metadata: "read" },
          repository_selection: selected ? "selected" : "all",
          ...(selected ? { repositories: selected.map((rid) => renderRepo(state.repoById(rid)!, urls, state.user(state.repoById(rid)!.owner))) } : {}),
        },
        201,
      );
    }),
    route("GET", "/installation/repositories", (call) => {
      const actor = call.actor;
      if (actor?.kind !== "installation") throw new SandboxError({ status: 403, body: { message: "This endpoint requires an installation token" } });
      const installation = [...state.installations.values()].find((i) => i.id === actor.installationId)!;
      const repos = [...state.repos.values()].filter((r) => r.owner.toLowerCase() === installation.account.login.toLowerCase() && tokenSees(actor.token, r));
      const page = paginate(
        call,
        repos.map((r) => renderRepo(r, urls, state.user(r.owner))),
      );
      return { ...page, body: { total_count: repos.length, repositories: page.body } };
    }),
    route("GET", "/app/hook/deliveries", (call) => {
      requireApp(call);
      const list = [...world.webhooks.deliveries].reverse().map(({ payload: _payload, ...d }) => d);
      return ok(list.slice(0, Math.min(Number(call.url.searchParams.get("per_page") ?? 30), 100)));
    }),
    route("POST", "/app/hook/deliveries/{id}/attempts", (call) => {
      requireApp(call);
      try {
        world.webhooks.redeliver(Number(call.params[0]));
      } catch {
        throw new SandboxError(notFound());
      }
      return ok({}, 202);
    }),
    route("GET", "/rate_limit", () =>
      ok({
        resources: { core: { limit: 5000, remaining: 4999, reset: Math.ceil(Date.now() / 1000) + 3600, used: 1 } },
        rate: { limit: 5000, remaining: 4999, reset: Math.ceil(Date.now() / 1000) + 3600, used: 1 },
      }),
    ),
  ];
}
