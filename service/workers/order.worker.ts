// Runs inside the worker threads of the pool: CPU-bound order work kept off the event loop.
import type { PricingResult, WorkerResult, WorkerTask } from './order-tasks.ts';

export default function run(task: WorkerTask): WorkerResult {
  switch (task.kind) {
    case 'price-and-score':
      return priceAndScore(task.customer, task.items);
    case 'burn':
      return { burnedMs: burn(task.ms) };
  }
}

/** Volume-discounted total plus tax, in integer cents, and a fraud score in [0, 1). */
function priceAndScore(customer: string, items: Array<{ sku: string; quantity: number; price: number }>): PricingResult {
  let subtotal = 0;
  let units = 0;
  for (const item of items) {
    const unitCents = Math.round(item.price * 100);
    const discount = item.quantity >= 100 ? 0.1 : item.quantity >= 10 ? 0.05 : 0;
    subtotal += Math.round(unitCents * item.quantity * (1 - discount));
    units += item.quantity;
  }
  const totalCents = subtotal + Math.round(subtotal * 0.08);
  return { totalCents, fraudScore: fraudScore(customer, items, totalCents, units) };
}

/**
 * A small scoring model: hashed features of the order mixed through many rounds (the CPU cost a real model
 * would have), then a logistic on order size. Deterministic for the same order.
 */
function fraudScore(customer: string, items: Array<{ sku: string }>, totalCents: number, units: number): number {
  let h = 2166136261;
  const text = customer + '|' + items.map((i) => i.sku).join(',');
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  let x = h >>> 0 || 1;
  let acc = 0;
  for (let round = 0; round < 200_000; round++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc += (x >>> 0) / 4294967296;
  }
  const noise = acc / 200_000 - 0.5; // about 0 with a small, order-specific spread
  const size = Math.log10(1 + totalCents / 100) + Math.log10(1 + units);
  return 1 / (1 + Math.exp(-(size - 9 + noise * 4)));
}

/** Busy CPU for `ms` milliseconds (fault injection: a saturated pool). */
function burn(ms: number): number {
  const start = performance.now();
  let x = 0;
  while (performance.now() - start < ms) x = Math.sqrt(x + 1);
  return performance.now() - start;
}
