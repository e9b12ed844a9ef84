// Stable dashboard uids: alert `dashboard_url`s, runbooks and bookmarks point at /d/<uid>; never change them.
export const dashboardUids = {
  runtime: 'node-runtime',
  orderService: 'order-service',
  alertingPipeline: 'alerting-pipeline',
} as const;
