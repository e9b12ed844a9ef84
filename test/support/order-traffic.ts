// Steady order traffic for chain tests: POST /orders at a fixed rate (a rule on a ratio needs requests to
// compute it), with a cap on requests in flight so a stalled service is not buried under a pile-up.
export interface OrderTraffic {
  /** Responses by status code (0: network error). */
  statuses: Map<number, number>;
  stop(): Promise<void>;
}

export function startOrderTraffic(apiUrl: string, options: { perSecond?: number; maxInFlight?: number } = {}): OrderTraffic {
  const perSecond = options.perSecond ?? 10;
  const maxInFlight = options.maxInFlight ?? 20;
  const statuses = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;
  const send = (): void => {
    if (inFlight.size >= maxInFlight) return;
    sequence++;
    const request = fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: `chain-test-${sequence}`, items: [{ sku: 'SKU-1', quantity: 1, price: 9.99 }] }),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      })
      .catch(() => {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(send, 1000 / perSecond);
  return {
    statuses,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
