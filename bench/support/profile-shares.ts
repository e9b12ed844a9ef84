// Where a CPU profile's main-thread time went, by owner: each sample is charged to the nearest frame on its stack
// that is a file of ours or of a package (Node's internals and V8 builtins are charged to whoever called them,
// so AsyncLocalStorage work done for OpenTelemetry's context counts as OpenTelemetry's). GC and idle time are
// V8's own pseudo-frames.

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based; absent in hand-made profiles. */
  lineNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShares {
  /** Main-thread time not idle, ms. */
  busyMs: number;
  /** Share of busy time by owner (e.g. `@opentelemetry/sdk-metrics`, `service/telemetry`, `(garbage collector)`). */
  byOwner: Map<string, number>;
  /**
   * Share of busy time by the owned frame each sample was charged to (`owner function file:line`), most first:
   * which function of a package costs most.
   */
  byFrame: Map<string, number>;
  /** OpenTelemetry's packages, the patching helpers and our own recorders (service/telemetry), as a share of busy time. */
  telemetry: number;
  gc: number;
}

const special = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

/** The owner of a frame by its file: an @opentelemetry package, another package, or our folder; undefined for Node's internals. */
export function ownerOf(url: string): string | undefined {
  if (url === '' || url.startsWith('node:')) return undefined;
  const otel = url.lastIndexOf('/node_modules/@opentelemetry/');
  if (otel !== -1) return `@opentelemetry/${url.slice(otel + '/node_modules/@opentelemetry/'.length).split('/')[0]}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const path = url.replace(/^file:\/\//, '');
  const at = path.search(/\/(service|common|alertmanager|stack)\//);
  if (at === -1) return 'other';
  const parts = path.slice(at + 1).split('/');
  return parts[0] === 'service' && parts[1] === 'telemetry' ? 'service/telemetry' : parts[0]!;
}

/** Owners counted as telemetry: OpenTelemetry itself, the module loaders' hooks it patches with, our recorders. */
export const isTelemetry = (owner: string): boolean =>
  owner.startsWith('@opentelemetry/') || owner === 'service/telemetry' || owner === 'import-in-the-middle' || owner === 'require-in-the-middle' || owner === 'shimmer';

export function profileShares(profile: CpuProfile): ProfileShares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const chargeCache = new Map<number, { owner: string; frame: string }>();
  const chargeTo = (id: number): { owner: string; frame: string } => {
    const cached = chargeCache.get(id);
    if (cached) return cached;
    const leaf = byId.get(id)!.callFrame.functionName;
    let charge: { owner: string; frame: string } | undefined = special.has(leaf) ? { owner: leaf, frame: leaf } : undefined;
    for (let at: number | undefined = id; charge === undefined && at !== undefined; at = parent.get(at)) {
      const { url, functionName, lineNumber } = byId.get(at)!.callFrame;
      const owner = ownerOf(url);
      if (owner !== undefined) charge = { owner, frame: `${owner} ${functionName || '(anonymous)'} ${url.slice(url.lastIndexOf('/') + 1)}:${(lineNumber ?? -1) + 1}` };
    }
    charge ??= { owner: 'node internals', frame: 'node internals' };
    chargeCache.set(id, charge);
    return charge;
  };
  const ms = new Map<string, number>();
  const frameMs = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    // A sample stands for the time until the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { owner, frame } = chargeTo(id);
    ms.set(owner, (ms.get(owner) ?? 0) + us / 1000);
    frameMs.set(frame, (frameMs.get(frame) ?? 0) + us / 1000);
  });
  const busyMs = [...ms].filter(([o]) => o !== '(idle)').reduce((sum, [, v]) => sum + v, 0);
  const sharesOf = (m: Map<string, number>) => new Map([...m].filter(([o]) => o !== '(idle)').map(([o, v]) => [o, v / busyMs] as const).sort((a, b) => b[1] - a[1]));
  const byOwner = sharesOf(ms);
  const byFrame = sharesOf(frameMs);
  const telemetry = [...byOwner].filter(([o]) => isTelemetry(o)).reduce((sum, [, v]) => sum + v, 0);
  return { busyMs, byOwner, byFrame, telemetry, gc: byOwner.get('(garbage collector)') ?? 0 };
}
