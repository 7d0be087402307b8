import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { expectMatches, spec } from "../helpers/openapi.js";

const PERSON = { authorization: "token ghp_sandbox_octocat", "content-type": "application/json" };

describe("the sandbox's sub-issues and dependencies routes", () => {
  let sandbox: Sandbox;
  let repo: Repo;
  let parent: Issue;
  let a: Issue;
  let b: Issue;
  const idOf = (issue: Issue) => repo.id * 100_000 + issue.number;

  beforeAll(async () => {
    sandbox = await startSandbox({ log: () => {} });
    repo = await sandbox.world.createRepo("octo-org", "relations");
    const maintainer = { kind: "user" as const, login: "octocat" };
    parent = sandbox.world.createIssue(repo, { title: "Parent" }, maintainer);
    a = sandbox.world.createIssue(repo, { title: "Task a" }, maintainer);
    b = sandbox.world.createIssue(repo, { title: "Task b" }, maintainer);
  });
  afterAll(async () => sandbox.close());

  /** Calls a route and checks a 2xx answer against the operation's response schema. */
  async function call(method: string, template: string, issue: Issue, body?: unknown, tail = ""): Promise<{ status: number; json: unknown }> {
    const path = template
      .replace("{owner}", repo.owner)
      .replace("{repo}", repo.name)
      .replace("{issue_number}", String(issue.number))
      .replace("/{issue_id}", tail);
    const res = await fetch(`${sandbox.apiUrl}${path}`, { method, headers: PERSON, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = res.status === 204 ? undefined : await res.json();
    if (res.ok) {
      const schema = spec.paths[template]?.[method.toLowerCase()]?.responses[String(res.status)]?.content?.["application/json"]?.schema;
      if (!schema) throw new Error(`GitHub does not answer ${method} ${template} with ${res.status}`);
      expectMatches(schema, json, `${method} ${template} → ${res.status}`);
    }
    return { status: res.status, json };
  }

  it("attaches, lists and removes sub-issues in GitHub's shapes, and refuses a second parent", async () => {
    const route = "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues";
    expect((await call("POST", route, parent, { sub_issue_id: idOf(a) })).status).toBe(201);
    expect((await call("POST", route, parent, { sub_issue_id: idOf(b) })).status).toBe(201);
    expect((await call("POST", route, parent, { sub_issue_id: idOf(a) })).status).toBe(422);

    const listed = await call("GET", route, parent);
    expect((listed.json as { number: number }[]).map((i) => i.number)).toEqual([a.number, b.number]);
    const removed = await call("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue", parent, { sub_issue_id: idOf(b) });
    expect((removed.json as { sub_issues_summary: { total: number } }).sub_issues_summary.total).toBe(1);
    expect(parent.subIssues).toEqual([a.number]);
  });

  it("records, lists and removes blocked-by dependencies in GitHub's shapes, and refuses a cycle", async () => {
    const blockedBy = "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by";
    expect((await call("POST", blockedBy, b, { issue_id: idOf(a) })).status).toBe(201);
    expect((await call("POST", blockedBy, a, { issue_id: idOf(b) })).status).toBe(422);

    expect(((await call("GET", blockedBy, b)).json as { number: number }[]).map((i) => i.number)).toEqual([a.number]);
    expect(
      ((await call("GET", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocking", a)).json as { number: number }[]).map((i) => i.number),
    ).toEqual([b.number]);
    expect((await call("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}", b, undefined, `/${idOf(a)}`)).status).toBe(
      200,
    );
    expect(b.blockedBy).toEqual([]);
  });

  it("sends sub_issues and issue_dependencies webhooks in GitHub's shapes", async () => {
    const sent = sandbox.world.webhooks.deliveries.filter((d) => d.event === "sub_issues" || d.event === "issue_dependencies");
    const schemaName = (event: string, action: string) => `${event.replace("_", "-").replace("_", "-")}-${action.replace(/_/g, "-")}`;
    expect(sent.map((d) => `${d.event}.${d.action}`)).toEqual([
      "sub_issues.sub_issue_added",
      "sub_issues.parent_issue_added",
      "sub_issues.sub_issue_added",
      "sub_issues.parent_issue_added",
      "sub_issues.sub_issue_removed",
      "sub_issues.parent_issue_removed",
      "issue_dependencies.blocked_by_added",
      "issue_dependencies.blocking_added",
      "issue_dependencies.blocked_by_removed",
      "issue_dependencies.blocking_removed",
    ]);
    for (const delivery of sent) {
      const name = schemaName(delivery.event, delivery.action!);
      const schema = spec["x-webhooks"][name]?.post.requestBody.content["application/json"]?.schema;
      if (!schema) throw new Error(`no webhook schema ${name}`);
      expectMatches(schema, delivery.payload, `webhook ${delivery.event}.${delivery.action}`);
    }
  });
});
