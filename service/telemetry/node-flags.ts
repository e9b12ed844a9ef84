/**
 * The Node and V8 flags this process was started with: NODE_OPTIONS first, then the command line (which comes
 * later, so wins). NODE_OPTIONS may quote a value that holds spaces.
 */
export function nodeFlagArguments(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const fromEnv = [...nodeOptions.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map(([arg]) => arg.replace(/"/g, ''));
  return [...fromEnv, ...execArgv];
}

/** The value of the last `--name=value` or `--name value` in `args` (Node accepts both for its own options). */
export function nodeFlagValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
    else if (arg === name && i + 1 < args.length) value = args[++i];
  }
  return value;
}
