// The datasources every dashboard is bound to. The uids are fixed here and in provisioning/datasources/, so that
// the generated JSON never depends on what a Grafana instance happened to name its datasource.
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const prometheusDatasource = { type: 'prometheus', uid: 'prometheus' } as const satisfies DataSourceRef;
export const alertmanagerDatasource = { type: 'alertmanager', uid: 'alertmanager' } as const satisfies DataSourceRef;
