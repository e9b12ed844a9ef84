/** What fault injection has switched on; owned by the service instance, changed only through the faults router. */
export class FaultState {
  errorRatio = 0;
  /** Heap retained on purpose (a simulated leak), as 1 MiB arrays of doubles that live on the V8 heap. */
  readonly retained: number[][] = [];

  shouldFailRequest(): boolean {
    return this.errorRatio > 0 && Math.random() < this.errorRatio;
  }
}
