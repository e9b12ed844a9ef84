import { createHash } from 'node:crypto';
import { z } from 'zod';

const money = z
  .number()
  .nonnegative()
  .max(1_000_000)
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'at most two decimal places');

export const orderRequestSchema = z.strictObject({
  customer: z.string().trim().min(1).max(200),
  items: z
    .array(
      z.strictObject({
        sku: z.string().trim().min(1).max(64),
        quantity: z.number().int().min(1).max(10_000),
        price: money,
      }),
    )
    .min(1)
    .max(100),
});

export type OrderRequest = z.infer<typeof orderRequestSchema>;

export const orderStatuses = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export interface Order {
  id: string;
  customer: string;
  items: OrderRequest['items'];
  status: OrderStatus;
  attempts: number;
  totalCents: number | null;
  fraudScore: number | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** Validation problems as field paths (`items[0].quantity`) a client can act on. */
export function describeProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(body)',
    message: issue.message,
  }));
}

/** A canonical hash of the request, so that an Idempotency-Key replay can be told from a different body. */
export function requestHash(request: OrderRequest): string {
  const canonical = JSON.stringify({ customer: request.customer, items: request.items.map((i) => [i.sku, i.quantity, i.price]) });
  return createHash('sha256').update(canonical).digest('hex');
}
