// Over-long text is cut, never refused (a 4xx makes Alertmanager drop the page): the cut is marked so the reader
// knows there was more.
export const truncatedMarker = '… (truncated)';

/** The end of a cut that does not split a UTF-16 surrogate pair (which would leave an invalid character). */
export function safeCut(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/** `text` when it has at most `max` characters, else its start with the marker, `max` characters in all. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = max > truncatedMarker.length * 2 ? truncatedMarker : '…';
  return `${safeCut(text, Math.max(0, max - marker.length))}${marker}`;
}
