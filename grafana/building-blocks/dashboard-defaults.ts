import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';

export const generatedTag = 'generated';

/** A dashboard with the project's defaults: shared crosshair, 10 s refresh, last 30 minutes, links to its siblings. */
export function dashboard(options: { uid: string; title: string; description: string; tags: string[] }): DashboardBuilder {
  return new DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags([...options.tags, generatedTag])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('Observability dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([generatedTag])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
}
