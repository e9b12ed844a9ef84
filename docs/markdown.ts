// Small Markdown helpers for the generated pages.

/** A table cell: pipes escaped, line breaks flattened, so a value never breaks the table. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const generatedNotice = (source: string): string =>
  `<!-- Generated from ${source} by \`npm run docs\`; edit the TypeScript and regenerate, never this file. -->\n`;
