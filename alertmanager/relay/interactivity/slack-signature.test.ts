import { describe, expect, it } from 'vitest';
import { slackSignature, SlackSignatureVerifier } from './slack-signature.ts';

// The example from Slack's "Verifying requests from Slack" page.
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const timestamp = '1531420618';
const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const slacksOwn = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack request signature', () => {
  it('matches the signature in Slack documentation', () => {
    expect(slackSignature(secret, timestamp, body)).toBe(slacksOwn);
  });

  it('accepts a fresh signed request once; refuses a stale, a forged, a replayed or an unsigned one', () => {
    const verifier = new SlackSignatureVerifier(() => secret);
    const at = Number(timestamp) * 1000;
    expect(verifier.check(timestamp, slacksOwn, Buffer.from(body), at + 60_000)).toBe('valid');
    expect(verifier.check(timestamp, slacksOwn, Buffer.from(body), at + 61_000)).toBe('replayed');
    expect(verifier.check(timestamp, slacksOwn, Buffer.from(body), at + 301_000)).toBe('stale');
    expect(verifier.check(timestamp, slacksOwn, Buffer.from(body), at - 301_000)).toBe('stale');
    expect(new SlackSignatureVerifier(() => secret).check(timestamp, slacksOwn, Buffer.from(`${body}&x=1`), at)).toBe('forged');
    expect(new SlackSignatureVerifier(() => 'another-secret').check(timestamp, slacksOwn, Buffer.from(body), at)).toBe('forged');
    expect(new SlackSignatureVerifier(() => secret).check(timestamp, slacksOwn.slice(0, -1), Buffer.from(body), at)).toBe('forged');
    expect(new SlackSignatureVerifier(() => secret).check(undefined, slacksOwn, Buffer.from(body), at)).toBe('missing');
    expect(new SlackSignatureVerifier(() => secret).check('12x', slacksOwn, Buffer.from(body), at)).toBe('forged');
  });
});
