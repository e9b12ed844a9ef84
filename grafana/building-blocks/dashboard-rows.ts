import { RowBuilder, type DashboardBuilder, type Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';

export interface Row {
  /** Stable id of the row panel itself (rows share the id space with panels). */
  id: number;
  title: string;
  panels: Builder<Panel>[];
}

/** Adds rows in order, each followed by its panels (laid out left to right, wrapping at 24 columns). */
export function withRows(board: DashboardBuilder, rows: readonly Row[]): DashboardBuilder {
  for (const row of rows) {
    board.withRow(new RowBuilder(row.title).id(row.id));
    for (const panel of row.panels) board.withPanel(panel);
  }
  return board;
}
