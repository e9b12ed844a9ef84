// The relay's one typed configuration: a YAML file (path from `--config` or RELAY_CONFIG), validated with zod at
// start and on SIGHUP. Secrets (webhook URLs, SMTP password, bearer tokens) are references to a file or an env
// var, never inline, and are resolved here so no other module reads the environment.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { booleanSetting, describeIssues, portNumber as port } from '../../common/config-fields.ts';
import type { GraphsConfig } from './graphs/alert-graphs.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `{ file: path }` or `{ env: NAME }`: where a secret is read from. A plain string is refused. */
const secretRef = z.union(
  [z.strictObject({ file: z.string().min(1) }), z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) })],
  { error: 'a secret must be a reference, { file: <path> } or { env: <VAR> }; secrets are never inline' },
);
export type SecretRef = z.infer<typeof secretRef>;

/** An http(s) URL, or empty / unset (as `${VAR:-}` expands) for "none". */
const optionalUrl = z.union([z.literal('').transform(() => undefined), z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })]).optional();
const positiveSeconds = z.coerce.number().positive();
const name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'names use letters, digits, _ . -');

/** Label matchers narrowing a route: exact value, or `{ regex }` (anchored, as in Alertmanager). */
const labelMatcher = z.union([z.string(), z.strictObject({ regex: z.string() }), z.strictObject({ notEqual: z.string() })]);

/**
 * A Slack destination: an incoming webhook (`webhookUrl`, the default mode), or a Slack app (`botToken` and
 * `channel`): messages through the Web API, so that a group's later notifications go in the first one's thread,
 * the first one is updated (RESOLVED, acknowledged) and buttons act.
 */
const slackDestination = z
  .strictObject({
    webhookUrl: secretRef.optional(),
    botToken: secretRef.optional(),
    /** App mode: the channel ID (C0123...) or name the bot posts in; it must be a member. */
    channel: z.string().min(1).optional(),
    /** App mode: the Web API base URL (a stand-in in tests). */
    apiUrl: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/'),
    /** Slack allows about one message a second per webhook or channel, with short bursts. */
    ratePerSecond: z.coerce.number().positive().default(1),
    burst: z.coerce.number().int().positive().default(3),
    timeoutSeconds: positiveSeconds.default(10),
  })
  .superRefine((d, ctx) => {
    if (d.webhookUrl && d.botToken) ctx.addIssue({ code: 'custom', path: ['botToken'], message: 'give either webhookUrl (incoming webhook) or botToken and channel (Slack app), not both' });
    if (!d.webhookUrl && !d.botToken) ctx.addIssue({ code: 'custom', path: ['webhookUrl'], message: 'required: webhookUrl (incoming webhook), or botToken and channel (Slack app)' });
    if (d.botToken && !d.channel) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'required with botToken: the channel the bot posts in' });
    if (d.webhookUrl && d.channel) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'an incoming webhook posts in its own channel; channel is for app mode (botToken)' });
  });

const emailDestination = z.strictObject({
  to: z.array(z.email()).min(1),
  cc: z.array(z.email()).default([]),
  /** immediate: one email per notification; digest: one email per interval with everything collected. */
  mode: z.enum(['immediate', 'digest']).default('immediate'),
  digestIntervalSeconds: positiveSeconds.default(300),
  subjectPrefix: z.string().default('[alerts]'),
  ratePerSecond: z.coerce.number().positive().default(5),
  burst: z.coerce.number().int().positive().default(5),
});

const smtp = z.strictObject({
  host: z.string().min(1),
  port,
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: booleanSetting.default(false),
  requireTls: booleanSetting.default(false),
  user: z.string().optional(),
  password: secretRef.optional(),
  from: z.string().min(3),
  maxConnections: z.coerce.number().int().positive().default(2),
  timeoutSeconds: positiveSeconds.default(30),
  /** Domain for Message-IDs (stable per notification), defaults to the from address's domain. */
  messageIdDomain: z.string().optional(),
});

const escalationStep = z
  .strictObject({ slack: z.array(name).default([]), email: z.array(name).default([]) })
  .refine((s) => s.slack.length + s.email.length > 0, 'a step names at least one destination (slack: or email:)');

/**
 * Escalation of the route's pages that nobody acknowledges: each `afterSeconds` without an acknowledgement
 * (and not resolved), the next step's destinations are notified and (repage) the page is repeated in its thread.
 * Needs a Slack app destination on the route: acknowledging is a button there.
 */
const escalation = z.strictObject({
  afterSeconds: positiveSeconds,
  /** Only pages of these severities escalate. */
  severities: z.array(z.string().min(1)).min(1).default(['critical']),
  repage: booleanSetting.default(true),
  steps: z.array(escalationStep).min(1).max(10),
});

const route = z.strictObject({
  matchers: z.record(z.string(), labelMatcher).default({}),
  slack: z.array(name).default([]),
  email: z.array(name).default([]),
  escalation: escalation.optional(),
});

const fileSchema = z
  .strictObject({
    listen: z.strictObject({ host: z.string().default('127.0.0.1'), port: port.default(9095) }).default({ host: '127.0.0.1', port: 9095 }),
    webhookPath: z.string().startsWith('/').default('/alertmanager/webhook'),
    auth: z.strictObject({ bearerTokens: z.array(secretRef).min(1, 'at least one bearer token is required') }),
    intake: z
      .strictObject({
        maxBodyBytes: z.coerce.number().int().positive().default(1_048_576),
        dedupWindowSeconds: z.coerce.number().nonnegative().default(300),
        /** Undelivered notifications above which the relay answers 503 (Alertmanager retries). */
        maxOutboxDepth: z.coerce.number().int().positive().default(100_000),
      })
      .default({ maxBodyBytes: 1_048_576, dedupWindowSeconds: 300, maxOutboxDepth: 100_000 }),
    outbox: z.strictObject({
      path: z.string().min(1),
      /** Delivered rows are kept this long for inspection, then pruned. Dead letters are kept. */
      retainDeliveredHours: z.coerce.number().positive().default(168),
    }),
    delivery: z
      .strictObject({
        backoffBaseSeconds: positiveSeconds.default(1),
        backoffMaxSeconds: positiveSeconds.default(300),
        /** How long SIGTERM waits for due deliveries before stopping; the rest stay in the outbox. */
        shutdownGraceSeconds: z.coerce.number().nonnegative().default(10),
      })
      .default({ backoffBaseSeconds: 1, backoffMaxSeconds: 300, shutdownGraceSeconds: 10 }),
    /** Base URL for silence links; defaults to the webhook's externalURL. */
    alertmanagerUrl: z.union([z.literal('').transform(() => undefined), z.url()]).optional(),
    /**
     * A graph of each alert's expression in every page and email, from Prometheus's query_range. Without a
     * prometheusUrl (or with an empty one) pages carry no graphs. Only this URL is ever queried (never the alert's
     * generatorURL host, which a webhook sender could point anywhere).
     */
    graphs: z
      .strictObject({
        prometheusUrl: optionalUrl,
        /** Hard limit on what graphs may add to a page's delivery (query and drawing); past it the page goes without. */
        budgetSeconds: positiveSeconds.max(30).default(2),
        windowMinutes: positiveSeconds.max(360).default(30),
        maxPerMessage: z.coerce.number().int().min(1).max(10).default(3),
        width: z.coerce.number().int().min(200).max(2000).default(720),
        height: z.coerce.number().int().min(120).max(1200).default(300),
        /** Where Slack can fetch the relay's /graphs/<token>.png (incoming-webhook pages); unset: no images in Slack. */
        publicBaseUrl: optionalUrl,
      })
      .optional(),
    slack: z.record(name, slackDestination).default({}),
    /**
     * Slack app interactivity (buttons on app-mode pages): Slack posts button presses to `interactivityPath`, signed
     * with the app's signing secret. Without it, app-mode pages carry no buttons.
     */
    slackApp: z
      .strictObject({
        signingSecret: secretRef,
        interactivityPath: z.string().startsWith('/').default('/slack/interactions'),
        /** How often silences made from buttons are looked up in Alertmanager (expiry, deletion). */
        silencePollSeconds: positiveSeconds.default(30),
      })
      .optional(),
    email: z
      .strictObject({ smtp, destinations: z.record(name, emailDestination) })
      .optional(),
    /** Alertmanager receiver name to routes; an empty list accepts and drops (e.g. the watchdog). */
    receivers: z.record(z.string().min(1), z.array(route)),
    /**
     * Dead man's switch: Alertmanager sends an always-firing Watchdog alert to `receiver`; when none has arrived for
     * `missingAfterSeconds`, the relay itself pages these destinations (the pipeline before it is broken), and
     * sends the resolution once the heartbeat is back.
     */
    watchdog: z
      .strictObject({
        receiver: z.string().min(1),
        missingAfterSeconds: positiveSeconds.default(300),
        slack: z.array(name).default([]),
        email: z.array(name).default([]),
      })
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .superRefine((config, ctx) => {
    if (config.watchdog) {
      const { watchdog } = config;
      if (!(watchdog.receiver in config.receivers)) ctx.addIssue({ code: 'custom', path: ['watchdog', 'receiver'], message: `"${watchdog.receiver}" is not under receivers: (add it, e.g. with [])` });
      watchdog.slack.forEach((d, j) => {
        if (!(d in config.slack)) ctx.addIssue({ code: 'custom', path: ['watchdog', 'slack', j], message: `unknown Slack destination "${d}"` });
      });
      watchdog.email.forEach((d, j) => {
        if (!config.email || !(d in config.email.destinations)) ctx.addIssue({ code: 'custom', path: ['watchdog', 'email', j], message: `unknown email destination "${d}"` });
      });
    }
    for (const [receiver, routes] of Object.entries(config.receivers)) {
      routes.forEach((r, i) => {
        r.slack.forEach((d, j) => {
          if (!(d in config.slack)) ctx.addIssue({ code: 'custom', path: ['receivers', receiver, i, 'slack', j], message: `unknown Slack destination "${d}" (define it under slack:)` });
        });
        r.email.forEach((d, j) => {
          if (!config.email || !(d in config.email.destinations))
            ctx.addIssue({ code: 'custom', path: ['receivers', receiver, i, 'email', j], message: `unknown email destination "${d}" (define it under email.destinations:)` });
        });
        if (r.escalation) {
          const path = ['receivers', receiver, i, 'escalation'];
          if (!r.slack.some((d) => config.slack[d]?.botToken)) {
            ctx.addIssue({ code: 'custom', path, message: 'escalation needs a Slack app destination (botToken) on this route: acknowledging is a button there' });
          }
          r.escalation.steps.forEach((step, k) => {
            step.slack.forEach((d, j) => {
              if (!(d in config.slack)) ctx.addIssue({ code: 'custom', path: [...path, 'steps', k, 'slack', j], message: `unknown Slack destination "${d}" (define it under slack:)` });
            });
            step.email.forEach((d, j) => {
              if (!config.email || !(d in config.email.destinations))
                ctx.addIssue({ code: 'custom', path: [...path, 'steps', k, 'email', j], message: `unknown email destination "${d}" (define it under email.destinations:)` });
            });
          });
        }
        for (const [label, m] of Object.entries(r.matchers)) {
          if (typeof m === 'object' && 'regex' in m) {
            try {
              new RegExp(m.regex);
            } catch {
              ctx.addIssue({ code: 'custom', path: ['receivers', receiver, i, 'matchers', label, 'regex'], message: 'not a valid regular expression' });
            }
          }
        }
      });
    }
  });

type FileConfig = z.infer<typeof fileSchema>;
export type LabelMatcher = z.infer<typeof labelMatcher>;
export type Route = z.infer<typeof route>;
export type EscalationPolicy = z.infer<typeof escalation>;

type SlackCommon = Omit<z.infer<typeof slackDestination>, 'webhookUrl' | 'botToken' | 'channel' | 'apiUrl'> & { name: string };
export type SlackWebhookDestination = SlackCommon & { mode: 'webhook'; webhookUrl: string };
export type SlackAppDestination = SlackCommon & { mode: 'app'; botToken: string; channel: string; apiUrl: string };
export type SlackDestinationConfig = SlackWebhookDestination | SlackAppDestination;
export type EmailDestinationConfig = z.infer<typeof emailDestination> & { name: string };
export type SmtpConfig = Omit<z.infer<typeof smtp>, 'password'> & { password: string | undefined };

/** The resolved configuration: secrets read, paths absolute. */
export interface RelayConfig {
  sourcePath: string;
  listen: { host: string; port: number };
  webhookPath: string;
  bearerTokens: string[];
  intake: FileConfig['intake'];
  outbox: FileConfig['outbox'];
  delivery: FileConfig['delivery'];
  alertmanagerUrl: string | undefined;
  /** Undefined when graphs are off (no graphs key, or no prometheusUrl). */
  graphs: GraphsConfig | undefined;
  slack: Map<string, SlackDestinationConfig>;
  slackApp: { signingSecret: string; interactivityPath: string; silencePollSeconds: number } | undefined;
  smtp: SmtpConfig | undefined;
  email: Map<string, EmailDestinationConfig>;
  receivers: Map<string, Route[]>;
  watchdog: FileConfig['watchdog'];
  logLevel: FileConfig['logLevel'];
  /** Every secret value, so that logs and error messages can be scrubbed of them. */
  secrets: string[];
}

export interface ConfigSources {
  env: NodeJS.ProcessEnv;
}

/** `${VAR}` and `${VAR:-default}` in string values, for non-secret settings such as ports (secrets stay references). */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, variable: string, fallback: string | undefined) => {
      const found = env[variable];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${path.join('.') || '(root)'}: environment variable ${variable} is not set and has no default`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  return value;
}

function readSecret(ref: SecretRef, key: string, baseDir: string, env: NodeJS.ProcessEnv): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value.trim() === '') throw new ConfigError(`${key}: environment variable ${ref.env} is not set or empty`);
    return value.trim();
  }
  const file = resolve(baseDir, ref.file);
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`${key}: cannot read secret file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (value === '') throw new ConfigError(`${key}: secret file ${file} is empty`);
  return value;
}

/** Parses and validates YAML text; throws ConfigError naming the key (or line) that is wrong. */
export function parseRelayConfig(text: string, sourcePath: string, sources: ConfigSources): RelayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      throw new ConfigError(`${sourcePath}: YAML syntax error${where}: ${error.code}`);
    }
    throw error;
  }
  const parsed = fileSchema.safeParse(expandEnv(raw ?? {}, sources.env, []));
  if (!parsed.success) throw new ConfigError(`${sourcePath}: invalid relay configuration:\n${describeIssues(parsed.error).join('\n')}`);
  const file = parsed.data;
  const baseDir = dirname(resolve(sourcePath));
  const secrets: string[] = [];
  const secret = (ref: SecretRef, key: string): string => {
    const value = readSecret(ref, key, baseDir, sources.env);
    secrets.push(value);
    return value;
  };

  const slack = new Map<string, SlackDestinationConfig>();
  for (const [destName, dest] of Object.entries(file.slack)) {
    const { webhookUrl: urlRef, botToken: tokenRef, channel, apiUrl, ...common } = dest;
    if (urlRef) {
      const webhookUrl = secret(urlRef, `slack.${destName}.webhookUrl`);
      if (!/^https?:\/\//.test(webhookUrl)) throw new ConfigError(`slack.${destName}.webhookUrl: the secret is not an http(s) URL`);
      slack.set(destName, { ...common, name: destName, mode: 'webhook', webhookUrl });
    } else if (tokenRef && channel) {
      const botToken = secret(tokenRef, `slack.${destName}.botToken`);
      if (!/^xox[a-z]-/.test(botToken)) throw new ConfigError(`slack.${destName}.botToken: the secret is not a Slack bot token (xoxb-...)`);
      slack.set(destName, { ...common, name: destName, mode: 'app', botToken, channel, apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` });
    }
  }
  const email = new Map<string, EmailDestinationConfig>();
  let smtpConfig: SmtpConfig | undefined;
  if (file.email) {
    const { password, ...rest } = file.email.smtp;
    smtpConfig = { ...rest, password: password ? secret(password, 'email.smtp.password') : undefined };
    for (const [destName, dest] of Object.entries(file.email.destinations)) email.set(destName, { ...dest, name: destName });
  }
  const bearerTokens = file.auth.bearerTokens.map((ref, i) => secret(ref, `auth.bearerTokens.${i}`));

  return {
    sourcePath,
    listen: file.listen,
    webhookPath: file.webhookPath,
    bearerTokens,
    intake: file.intake,
    outbox: { ...file.outbox, path: resolve(baseDir, file.outbox.path) },
    delivery: file.delivery,
    alertmanagerUrl: file.alertmanagerUrl,
    graphs: file.graphs?.prometheusUrl ? { ...file.graphs, prometheusUrl: file.graphs.prometheusUrl, publicBaseUrl: file.graphs.publicBaseUrl?.replace(/\/+$/, '') } : undefined,
    slack,
    slackApp: file.slackApp ? { ...file.slackApp, signingSecret: secret(file.slackApp.signingSecret, 'slackApp.signingSecret') } : undefined,
    smtp: smtpConfig,
    email,
    receivers: new Map(Object.entries(file.receivers)),
    watchdog: file.watchdog,
    logLevel: file.logLevel,
    secrets,
  };
}

/** Reads the config file; RELAY_PORT and RELAY_OUTBOX_PATH override listen.port and outbox.path (launchers, tests). */
export function loadRelayConfig(path: string, sources: ConfigSources = { env: process.env }): RelayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read relay config ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const config = parseRelayConfig(text, path, sources);
  const { RELAY_PORT, RELAY_OUTBOX_PATH } = sources.env;
  if (RELAY_PORT !== undefined && RELAY_PORT !== '') {
    const parsed = port.safeParse(RELAY_PORT);
    if (!parsed.success) throw new ConfigError(`RELAY_PORT: not a port number`);
    config.listen = { ...config.listen, port: parsed.data };
  }
  if (RELAY_OUTBOX_PATH) config.outbox = { ...config.outbox, path: resolve(RELAY_OUTBOX_PATH) };
  return config;
}

/** The config file path: `--config <path>` / `--config=<path>`, else RELAY_CONFIG, else `fallback` when given. */
export function configPathFrom(argv: string[], env: NodeJS.ProcessEnv, fallback?: string): string {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i >= 0) {
    const arg = argv[i]!;
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
    if (value) return value;
  }
  if (env.RELAY_CONFIG) return env.RELAY_CONFIG;
  if (fallback) return fallback;
  throw new ConfigError('no relay config: pass --config <file> or set RELAY_CONFIG');
}
