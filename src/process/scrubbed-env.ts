/** Variables that name a secret: never handed to a child process unless asked for by name. */
export const SECRET_NAME = /TOKEN|SECRET|KEY|PASSWORD|PRIVATE|CREDENTIAL|^APP_ID$|^REDIS_URL$/i;

/**
 * The environment for processes Baton starts (pre-flight commands, CLI agents): the
 * server's own (`source`, the runtime's `processEnv`), minus anything that looks like a secret. `keep` names variables a child
 * needs anyway (an agent CLI's own API key), passed through only when set.
 */
export function scrubbedEnv(source: Readonly<NodeJS.ProcessEnv>, keep: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(source)) {
    if (!SECRET_NAME.test(key) || keep.includes(key)) env[key] = value;
  }
  return env;
}
