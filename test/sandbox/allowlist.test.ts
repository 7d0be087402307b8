import { isAllowedHost } from "../../src/sandbox/allowlist-proxy.js";

describe("the sandbox proxy's allowlist", () => {
  const allow = ["registry.npmjs.org", "*.pythonhosted.org", "127.0.0.2"];

  it("allows a host named exactly, in any case, with or without a trailing dot", () => {
    expect(isAllowedHost("registry.npmjs.org", allow)).toBe(true);
    expect(isAllowedHost("Registry.NPMJS.org.", allow)).toBe(true);
    expect(isAllowedHost("127.0.0.2", allow)).toBe(true);
  });

  it("allows subdomains only under a `*.` entry, and never a look-alike", () => {
    expect(isAllowedHost("files.pythonhosted.org", allow)).toBe(true);
    expect(isAllowedHost("pythonhosted.org", allow)).toBe(false);
    expect(isAllowedHost("evilpythonhosted.org", allow)).toBe(false);
    expect(isAllowedHost("npmjs.org", allow)).toBe(false);
    expect(isAllowedHost("registry.npmjs.org.evil.com", allow)).toBe(false);
    expect(isAllowedHost("127.0.0.3", allow)).toBe(false);
  });
});
