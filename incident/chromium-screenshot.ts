// Opens a local HTML file in real headless Chromium with the network off (every host name resolves to nothing
// and every connection goes to a proxy that does not exist), and screenshots it: what a reader would see
// opening the report from a mail attachment on a plane.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function screenshotOffline(htmlPath: string, size = { width: 1000, height: 2600 }): Promise<Buffer> {
  const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  const shot = join(profile, 'screenshot.png');
  try {
    await run(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--host-resolver-rules=MAP * ~NOTFOUND',
        '--proxy-server=http://127.0.0.1:9',
        `--window-size=${size.width},${size.height}`,
        `--screenshot=${shot}`,
        pathToFileURL(htmlPath).href,
      ],
      { timeout: 120_000 },
    );
    return readFileSync(shot);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
