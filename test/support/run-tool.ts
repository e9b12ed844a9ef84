// Runs a command-line tool (promtool, amtool) to completion and returns its exit code and output, so a test can
// assert on both and show the tool's own words when it fails.
import { execFile } from 'node:child_process';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

export function runTool(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${command} ${args.join(' ')} could not run: ${error.message}`));
        return;
      }
      const code = error ? Number(error.code) : 0;
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}
