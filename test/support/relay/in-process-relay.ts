// Runs a relay inside the test process (faster than a child for fuzzing and delivery tests), logs captured in
// memory so tests can check them (e.g. that no secret appears).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadRelayConfig } from '../../../alertmanager/relay/config.ts';
import { createRelayLogger } from '../../../alertmanager/relay/logger.ts';
import { startRelayServer, type Relay } from '../../../alertmanager/relay/relay.ts';
import { SecretScrubber } from '../../../alertmanager/relay/secret-scrubber.ts';
import { writeTestRelayConfig, type TestRelayConfigOptions } from './relay-config-file.ts';

export interface InProcessRelay {
  relay: Relay;
  webhookUrl: string;
  token: string;
  dir: string;
  logs: string[];
  stop(): Promise<void>;
}

/** `dir`: an existing directory (kept at stop), e.g. to restart a relay on the same outbox; else a temp one. */
export async function startInProcessRelay(options: Omit<TestRelayConfigOptions, 'dir' | 'tokens'> & { tokens?: string[]; dir?: string }): Promise<InProcessRelay> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'relay-test-'));
  const tokens = options.tokens ?? ['test-token-0123456789'];
  const path = writeTestRelayConfig({ ...options, dir, tokens });
  const config = loadRelayConfig(path, { env: {} });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const scrubber = new SecretScrubber();
  const relay = await startRelayServer(config, { logger: createRelayLogger('debug', scrubber, sink), scrubber });
  return {
    relay,
    webhookUrl: `${relay.url}/alertmanager/webhook`,
    token: tokens[0]!,
    dir,
    logs,
    async stop() {
      await relay.stop();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
