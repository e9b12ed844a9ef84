// The one way to make a variant of prometheus.yml or alertmanager.yml for other addresses: the launcher (temp dirs,
// free ports) and compose/render-configs.ts (Compose service names) both change the parsed YAML here, never the
// text with regular expressions. editYaml keeps the source's comments and quoting where nothing changed.
import { isDeepStrictEqual } from 'node:util';
import { isScalar, parseDocument, type Document } from 'yaml';

type Path = Array<string | number>;

/**
 * Applies `edit` to the parsed `text` and writes back only what changed, into the original document: comments,
 * key order and quoting of untouched (and of changed scalar) values survive. Throws on YAML syntax errors.
 */
export function editYaml<T>(text: string, edit: (config: T) => T, source = 'config'): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]!.message}`);
  const before: unknown = document.toJS();
  const after: unknown = edit(structuredClone(before) as T);
  applyChanges(document, [], before, after);
  // Flow collections as people write them ([a, b]), and no re-wrapping of long lines.
  return document.toString({ flowCollectionPadding: false, lineWidth: 0 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function applyChanges(document: Document, path: Path, before: unknown, after: unknown): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of Object.keys(before)) if (!(key in after)) document.deleteIn([...path, key]);
    for (const [key, value] of Object.entries(after)) applyChanges(document, [...path, key], before[key], value);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    after.forEach((value, i) => applyChanges(document, [...path, i], before[i], value));
    return;
  }
  const node = path.length === 0 ? document.contents : document.getIn(path, true);
  if (isScalar(node) && (after === null || typeof after !== 'object')) node.value = after;
  else if (path.length === 0) document.contents = document.createNode(after);
  else document.setIn(path, document.createNode(after));
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets?: string[]; labels?: Record<string, string> }>;
  file_sd_configs?: Array<{ files?: string[]; refresh_interval?: string }>;
  [key: string]: unknown;
}

export interface PrometheusConfig {
  scrape_configs?: ScrapeConfig[];
  alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }>; [key: string]: unknown }> };
  [key: string]: unknown;
}

export interface PrometheusAddresses {
  /** host:port targets by job name, for jobs with static_configs. */
  targets?: Record<string, string[]>;
  /** Targets file by job name, for jobs with file-based discovery. */
  targetsFiles?: Record<string, string>;
  /** Alertmanager host:port addresses. */
  alertmanagers?: string[];
}

/** `config` with the given scrape targets, targets files and Alertmanager addresses; everything else kept. */
export function prometheusVariant(config: PrometheusConfig, addresses: PrometheusAddresses): PrometheusConfig {
  const scrapeConfigs = (config.scrape_configs ?? []).map((scrape) => {
    const file = addresses.targetsFiles?.[scrape.job_name];
    if (scrape.file_sd_configs !== undefined) {
      return file === undefined ? scrape : { ...scrape, file_sd_configs: [{ ...scrape.file_sd_configs[0], files: [file] }] };
    }
    const wanted = addresses.targets?.[scrape.job_name];
    if (wanted === undefined) return scrape;
    const labels = scrape.static_configs?.[0]?.labels;
    return { ...scrape, static_configs: [{ targets: wanted, ...(labels ? { labels } : {}) }] };
  });
  const variant: PrometheusConfig = { ...config, ...(config.scrape_configs ? { scrape_configs: scrapeConfigs } : {}) };
  if (addresses.alertmanagers !== undefined) {
    const [first, ...rest] = config.alerting?.alertmanagers ?? [{}];
    variant.alerting = { ...config.alerting, alertmanagers: [{ ...first, static_configs: [{ targets: addresses.alertmanagers }] }, ...rest] };
  }
  return variant;
}

interface WebhookConfig {
  url?: string;
  http_config?: { authorization?: { credentials_file?: string; [key: string]: unknown }; [key: string]: unknown };
  [key: string]: unknown;
}

export interface AlertmanagerConfig {
  receivers?: Array<{ name: string; webhook_configs?: WebhookConfig[]; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface AlertmanagerAddresses {
  /** The origin (`http://host:port`) each webhook URL gets instead of its own, from its current URL; paths are kept. */
  webhookOrigin?: (current: URL) => string;
  /** The bearer token file every webhook's authorization reads. */
  credentialsFile?: string;
}

/** `config` with its webhooks pointed at other origins and another credentials file; everything else kept. */
export function alertmanagerVariant(config: AlertmanagerConfig, addresses: AlertmanagerAddresses): AlertmanagerConfig {
  const receivers = config.receivers?.map((receiver) => ({
    ...receiver,
    ...(receiver.webhook_configs
      ? {
          webhook_configs: receiver.webhook_configs.map((webhook) => {
            const changed: WebhookConfig = { ...webhook };
            if (addresses.webhookOrigin !== undefined && webhook.url !== undefined) {
              const current = new URL(webhook.url);
              changed.url = new URL(`${current.pathname}${current.search}`, addresses.webhookOrigin(current)).toString();
            }
            const authorization = webhook.http_config?.authorization;
            if (addresses.credentialsFile !== undefined && authorization !== undefined) {
              changed.http_config = { ...webhook.http_config, authorization: { ...authorization, credentials_file: addresses.credentialsFile } };
            }
            return changed;
          }),
        }
      : {}),
  }));
  return { ...config, ...(receivers ? { receivers } : {}) };
}
