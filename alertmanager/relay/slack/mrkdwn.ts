// Slack mrkdwn text from untrusted values. Slack reads `<...>` as links and mentions (`<!channel>` pages a whole
// channel), so `&`, `<` and `>` in every label and annotation value become entities, as Slack documents.
import { safeCut, truncatedMarker } from '../truncate-text.ts';

export function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `<url|label>`: the URL escaped too, and `|` (which would end the URL early) percent-encoded. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${escapeMrkdwn(url.replaceAll('|', '%7C'))}|${escapeMrkdwn(label)}>`;
}

/**
 * Shortens mrkdwn to at most `max` characters, marked "… (truncated)" (a bare "…" where that does not fit), never
 * cutting an entity (`&amp;`), a link (`<url|label>`) or a surrogate pair in half, which would show garbage or break
 * the message.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = max > truncatedMarker.length * 2 ? truncatedMarker : '…';
  let cut = safeCut(text, max - marker.length);
  const amp = cut.lastIndexOf('&');
  if (amp > cut.lastIndexOf(';')) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut}${marker}`;
}
