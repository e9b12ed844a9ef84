// The seed incident's figures (/work/shared/seed-incident-report.md, "Overview" and "Impact"), next to which the
// replay and the report print their own.
export const seedIncident = {
  startedAt: '2024-11-25 10:15',
  timeToDetectSeconds: 15 * 60,
  timeToRecoverSeconds: 90 * 60,
  failedOrderShare: 0.4,
  responseTimeSeconds: 2,
  heapLimitMb: 256,
  lostOrDuplicated: 'some orders lost, some stored twice',
  stuckProcessing: 'orders stuck in Processing, fixed by hand',
  processDied: true,
} as const;
