import type { SandboxState } from "./state.js";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** Readable colour on a label chip. */
function chip(name: string, color: string): string {
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(color.slice(i, i + 2), 16));
  const dark = (r ?? 0) * 0.299 + (g ?? 0) * 0.587 + (b ?? 0) * 0.114 < 150;
  return `<span class="chip" style="background:#${escape(color)};color:${dark ? "#fff" : "#111"}">${escape(name)}</span>`;
}

/**
 * The sandbox's read-only page: repositories, issues and PRs with their labels, comments
 * and reviews. It refreshes itself every two seconds, so a person can watch the demo run.
 */
export function renderPage(state: SandboxState, webUrl: string): string {
  const sections = [...state.repos.values()].map((repo) => {
    const issues = [...repo.issues.values()]
      .sort((a, b) => a.number - b.number)
      .map((issue) => {
        const labels = issue.labels.map((l) => chip(l, repo.labels.get(l.toLowerCase())?.color ?? "ededed")).join(" ");
        const comments = issue.comments
          .map(
            (c) =>
              `<details${c.body.startsWith("<!-- baton:status") ? " open" : ""}><summary><b>${escape(c.user.login)}</b> · ${escape(
                c.body
                  .split("\n")
                  .find((l) => l.trim() && !l.startsWith("<!--"))
                  ?.slice(0, 90) ?? "",
              )}</summary><pre>${escape(c.body)}</pre></details>`,
          )
          .join("");
        const reviews =
          issue.pull?.reviews
            .map((r) => `<details><summary>review by <b>${escape(r.user.login)}</b> (${escape(r.state)})</summary><pre>${escape(r.body)}</pre></details>`)
            .join("") ?? "";
        const kind = issue.pull ? `PR ${escape(issue.pull.head)} → ${escape(issue.pull.base)}${issue.pull.merged ? " (merged)" : ""}` : "issue";
        return `<div class="issue"><h3>#${issue.number} ${escape(issue.title)} <small>${kind} · ${issue.state}</small></h3><div>${labels}</div><p>${escape(issue.body).replace(/\n/g, "<br>")}</p>${comments}${reviews}</div>`;
      });
    return `<section><h2>${escape(repo.owner)}/${escape(repo.name)} <small>git clone ${escape(webUrl)}/${escape(repo.owner)}/${escape(repo.name)}.git</small></h2>${issues.join("") || "<p>No issues yet.</p>"}</section>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>Baton sandbox</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:980px;color:#1f2328}
h1 small,h2 small,h3 small{color:#656d76;font-weight:normal;font-size:12px}
.issue{border:1px solid #d0d7de;border-radius:6px;padding:.5em 1em;margin:1em 0}
.chip{display:inline-block;border-radius:2em;padding:0 .7em;margin:0 .3em .3em 0;font-size:12px;font-weight:600}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.6em;border-radius:6px;font-size:12px}
summary{cursor:pointer;margin:.3em 0}
</style></head><body><h1>Baton sandbox <small>a local GitHub-compatible server · refreshes every 2 s</small></h1>
<main id="main">${sections.join("") || "<p>No repositories yet.</p>"}</main>
<script>setInterval(async()=>{const r=await fetch(location.href);const t=await r.text();const m=new DOMParser().parseFromString(t,"text/html").getElementById("main");const open=[...document.querySelectorAll("details")].map(d=>d.open);document.getElementById("main").replaceWith(m);[...document.querySelectorAll("details")].forEach((d,i)=>{if(open[i]!==undefined)d.open=open[i]})},2000)</script>
</body></html>`;
}
