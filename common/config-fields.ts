// Config field schemas and environment parsing shared by every process's one typed config (service/config.ts,
// alertmanager/relay/config.ts, stack/stack-config.ts), so a port or a boolean means the same thing everywhere.
import { z } from 'zod';

/** A TCP port, 0-65535 (0: the kernel picks one), from a number or a string (environment, `${VAR}` in YAML). */
export const portNumber = z.coerce.number().int().min(0).max(65535);

/** A port other processes are told about, so it cannot be 0. */
export const fixedPortNumber = portNumber.min(1);

/**
 * A boolean from YAML (`true`, `1`) or text (an environment variable, `${SMTP_SECURE:-false}` in YAML): "true"/"false",
 * "1"/"0", "yes"/"no", "on"/"off" (zod's stringbool). Anything else is an error; "false" is never true, as it is with
 * z.coerce.boolean().
 */
export const booleanSetting = z.union([z.boolean(), z.literal([0, 1]).transform((n) => n === 1), z.stringbool()], {
  error: 'expected true or false (or 1/0, yes/no, on/off)',
});

export type EnvParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Validates the variables `schema` names (unset and empty ones are left to their defaults). Problems name the
 * variable and the reason, never the value: values may be secrets (database URLs, webhook URLs).
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): EnvParseResult<z.infer<S>> {
  const present = Object.fromEntries(Object.keys(schema.shape).flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])));
  const parsed = schema.safeParse(present);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: describeIssues(parsed.error) };
}

/** One `path: reason` line per issue, `(root)` for the whole document. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}
