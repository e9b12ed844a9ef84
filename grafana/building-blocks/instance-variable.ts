import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusDatasource } from '../datasources.ts';

/** The `instance` variable: the instances of `job` Prometheus scrapes (any number of replicas, found by discovery). */
export function instanceVariable(options: { job: string; multi: boolean }): QueryVariableBuilder {
  const query = `label_values(up{job="${options.job}"}, instance)`;
  return new QueryVariableBuilder('instance')
    .label('Instance')
    .description(`The ${options.job} instance${options.multi ? 's' : ''} shown`)
    .datasource(prometheusDatasource)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc)
    .multi(options.multi)
    .includeAll(options.multi);
}
