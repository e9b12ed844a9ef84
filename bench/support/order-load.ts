// The order every order bench posts, and the autocannon load that posts it, so that the benches' figures are of
// the same order.
import autocannon from 'autocannon';

const benchOrderBody = JSON.stringify({ customer: 'bench', items: [{ sku: 'A-1', quantity: 2, price: 9.99 }, { sku: 'B-2', quantity: 1, price: 120 }] });

/** autocannon's options for posting the bench order. */
export const postBenchOrder = { method: 'POST', headers: { 'content-type': 'application/json' }, body: benchOrderBody } as const;

/** Posts the bench order to `<apiUrl>/orders` for `duration` seconds; `options` add to or override autocannon's. */
export const loadOrders = (apiUrl: string, duration: number, options: Record<string, unknown> = {}): Promise<autocannon.Result> =>
  autocannon({ url: `${apiUrl}/orders`, duration, ...postBenchOrder, ...options });
