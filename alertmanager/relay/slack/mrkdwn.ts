// Slack mrkdwn text from untrusted values. Slack reads `<...>` as links and mentions (`<!channel>` pages a whole
// channel), so `&`, `<` and `>` in every label and annotation value become entities, as Slack documents.
export function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `<url|label>`: the URL escaped too, and `|` (which would end the URL early) percent-encoded. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${escapeMrkdwn(url.replaceAll('|', '%7C'))}|${escapeMrkdwn(label)}>`;
}

/**
 * Shortens mrkdwn to at most `max` characters with an ellipsis, never cutting an entity (`&amp;`) or a link
 * (`<url|label>`) in half, which would show garbage or break the message.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp > cut.lastIndexOf(';')) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut}…`;
}
