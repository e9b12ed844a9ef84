// Removes secret values (webhook URLs, SMTP password, bearer tokens) from any text before it leaves the process:
// applied to every log line as written, and to error details stored with dead letters.
export class SecretScrubber {
  #secrets: string[] = [];

  /** Replaced on config reload; short values are ignored (they would blank out ordinary words). */
  set(secrets: readonly string[]): void {
    const forms = secrets.filter((s) => s.length >= 6).flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]);
    // Longest first, so a secret containing another is removed whole.
    this.#secrets = [...new Set(forms)].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.replaceAll(secret, '[redacted]');
    return out;
  }
}
