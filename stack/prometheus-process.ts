// Starts the real Prometheus binary on loopback for `npm start` and the tests. The repository's prometheus.yml
// names fixed ports; this writes a variant of it into a temp dir with the targets and Alertmanager addresses
// actually in use, and keeps file-based discovery working (the launcher owns the targets files).
import { mkdtempSync, rmSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startProcess, waitHealthyOrDiscard, type ManagedProcess } from './child-process.ts';
import { resolveConfigPaths } from './config-paths.ts';
import { editYaml, prometheusVariant, type PrometheusConfig } from './config-variants.ts';
import { freePort } from '../common/free-port.ts';

export interface PrometheusOptions {
  configFile: string;
  port?: number;
  /** TSDB directory; a fresh temp dir (removed at stop) when unset. */
  dataDir?: string;
  /**
   * Scrape targets (host:port) by job name, replacing the config's: written to the job's file_sd file when the
   * job uses file-based discovery, else its static_configs. The `prometheus` job defaults to this Prometheus.
   */
  targets?: Record<string, string[]>;
  /** Alertmanager addresses (host:port) replacing the config's. */
  alertmanagers?: string[];
  binary?: string;
  extraArgs?: string[];
  echo?: boolean;
  name?: string;
}

export interface PrometheusProcess {
  process: ManagedProcess;
  url: string;
  port: number;
  /** The config Prometheus actually runs with (in a temp dir). */
  configFile: string;
  /** Rewrites a file_sd job's targets; Prometheus picks the change up by itself (file discovery). */
  setTargets(job: string, targets: string[]): void;
  stop(): Promise<void>;
}

/** Atomic replace, so Prometheus's file watcher never reads a half-written targets file. */
function writeTargetsFile(file: string, targets: string[]): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify([{ targets }], null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Writes the variant of `configFile` for the given addresses into `dir` and returns its path and the targets
 * files it owns (job name to file). Exported for tests that only need `promtool check config` on the variant.
 */
export function renderPrometheusConfig(
  configFile: string,
  dir: string,
  overrides: { self: string; targets?: Record<string, string[]>; alertmanagers?: string[] },
): { configFile: string; targetsFiles: Map<string, string> } {
  const source = resolve(configFile);
  const targets: Record<string, string[]> = { prometheus: [overrides.self], ...overrides.targets };
  const targetsFiles = new Map<string, string>();
  const text = editYaml<PrometheusConfig>(
    readFileSync(source, 'utf8'),
    (parsed) => {
      const config = resolveConfigPaths(parsed, dirname(source));
      // Jobs with file-based discovery get a targets file this launcher owns (and can rewrite later).
      for (const scrape of config.scrape_configs ?? []) {
        const wanted = targets[scrape.job_name];
        if (wanted === undefined || scrape.file_sd_configs === undefined) continue;
        const file = join(dir, `${scrape.job_name}.targets.json`);
        writeTargetsFile(file, wanted);
        targetsFiles.set(scrape.job_name, file);
      }
      return prometheusVariant(config, {
        targets,
        targetsFiles: Object.fromEntries(targetsFiles),
        ...(overrides.alertmanagers !== undefined ? { alertmanagers: overrides.alertmanagers } : {}),
      });
    },
    source,
  );
  const rendered = join(dir, 'prometheus.yml');
  writeFileSync(rendered, text);
  return { configFile: rendered, targetsFiles };
}

/** Starts Prometheus and waits until /-/ready answers. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const configDir = mkdtempSync(join(tmpdir(), 'prometheus-config-'));
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'prometheus-data-'));
  const cleanUp = (): void => {
    rmSync(configDir, { recursive: true, force: true });
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let rendered: ReturnType<typeof renderPrometheusConfig>;
  try {
    rendered = renderPrometheusConfig(options.configFile, configDir, {
      self: `127.0.0.1:${port}`,
      ...(options.targets ? { targets: options.targets } : {}),
      ...(options.alertmanagers ? { alertmanagers: options.alertmanagers } : {}),
    });
  } catch (error) {
    cleanUp();
    throw new Error(`cannot render ${options.configFile}: ${(error as Error).message}`);
  }
  const child = startProcess({
    name: options.name ?? `prometheus:${port}`,
    command: options.binary ?? 'prometheus',
    args: [
      `--config.file=${rendered.configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}/`,
      ...(options.extraArgs ?? []),
    ],
    echo: options.echo ?? false,
  });
  await waitHealthyOrDiscard(child, `${url}/-/ready`, 60_000, cleanUp);
  return {
    process: child,
    url,
    port,
    configFile: rendered.configFile,
    setTargets(job, targets) {
      const file = rendered.targetsFiles.get(job);
      if (file === undefined) throw new Error(`job ${job} has no file_sd targets file written by this launcher`);
      writeTargetsFile(file, targets);
    },
    async stop() {
      await child.stop();
      cleanUp();
    },
  };
}
