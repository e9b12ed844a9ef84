/** What fault injection has switched on; owned by the service instance, changed only through the faults router. */
export class FaultState {
  errorRatio = 0;
  /** Heap retained on purpose (a simulated leak), as 1 MiB arrays of doubles that live on the V8 heap. */
  readonly retained: number[][] = [];
  /**
   * KiB each order request holds on the heap until it is answered (0: off): the seed's memory climbed with the
   * requests the server had taken on and not yet answered, so memory here grows with the backlog, not with time.
   */
  requestMemory: { kilobytes: number; since: number; doublingSeconds: number | undefined; upToKilobytes: number } = { kilobytes: 0, since: 0, doublingSeconds: undefined, upToKilobytes: 0 };

  /** KiB an order request arriving now holds: doubling every doublingSeconds up to upToKilobytes, when set. */
  requestMemoryKib(now: number): number {
    const { kilobytes, since, doublingSeconds, upToKilobytes } = this.requestMemory;
    if (kilobytes === 0 || doublingSeconds === undefined) return kilobytes;
    return Math.min(upToKilobytes, Math.round(kilobytes * 2 ** ((now - since) / 1000 / doublingSeconds)));
  }
  /** The running heap-leak fault, if any. */
  leakTimer: NodeJS.Timeout | undefined;

  shouldFailRequest(): boolean {
    return this.errorRatio > 0 && Math.random() < this.errorRatio;
  }
}
