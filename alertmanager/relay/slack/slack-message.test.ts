// The Slack page as built, checked with the Slack stand-in's own validation of Slack's limits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slackPayloadError } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { notificationView } from '../alert-view.ts';
import { webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import { truncatedMarker } from '../truncate-text.ts';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.ts';
import { buildSlackMessage, slackLimits } from './slack-message.ts';

const build = (payload: ReturnType<typeof webhookPayload>) => buildSlackMessage(notificationView(payload, undefined, 'http://127.0.0.1:9093'));

describe('Slack page', () => {
  it('has a header with status, severity and alert name, the top-level text, links and the severity colour', () => {
    const message = build(webhookPayload({ alertname: 'HeapNearLimit', severity: 'critical', alerts: 2 }));
    expect(slackPayloadError(message)).toBeUndefined();
    const header = message.blocks[0]!;
    expect(header.type).toBe('header');
    expect(JSON.stringify(header)).toMatch(/FIRING:2.*CRITICAL.*HeapNearLimit/);
    expect(message.text).toContain('[FIRING:2] HeapNearLimit (critical)');
    expect(message.attachments[0]!.color).toBe('#D00000');
    const detail = JSON.stringify(message.attachments[0]!.blocks);
    for (const link of ['|Runbook>', '|Dashboard>', '|Graph>', '|Silence>']) expect(detail).toContain(link);
    expect(detail).toContain('http://127.0.0.1:9093/#/silences/new?filter=');
    expect(detail).toMatch(/Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, firing for 5m/);
  });

  it('looks different once resolved: green, RESOLVED, no silence link, how long it fired', () => {
    const message = build(webhookPayload({ status: 'resolved' }));
    expect(slackPayloadError(message)).toBeUndefined();
    expect(message.attachments[0]!.color).toBe('#2EB67D');
    expect(message.text).toContain('[RESOLVED]');
    expect(JSON.stringify(message.blocks[0])).toContain('RESOLVED');
    const detail = JSON.stringify(message.attachments[0]!.blocks);
    expect(detail).not.toContain('|Silence>');
    expect(detail).toMatch(/resolved .* after 5m/);
  });

  it('stays within Slack limits for any number of alerts and any length of text, saying "and N more"', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(40), fc.string({ maxLength: 5000 }), fc.integer({ min: 0, max: 30 }), (alerts, truncated, text, labelCount) => {
        const labels = Object.fromEntries(Array.from({ length: labelCount }, (_, i) => [`label_${i}`, text]));
        const payload = webhookPayload({ alerts, alertname: `${text}&<>`.repeat(3), labels, annotations: { summary: text, description: `${text}<&>`.repeat(3) } });
        payload.truncatedAlerts = truncated;
        const message = build(payload);
        expect(slackPayloadError(message)).toBeUndefined();
        const more = alerts - Math.min(alerts, slackLimits.alertsShown) + truncated;
        const raw = JSON.stringify(message);
        if (more > 0) expect(raw).toContain(`and ${more} more alert`);
        else expect(raw).not.toMatch(/and \d+ more alert/);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes every label and annotation value so no mention or link can be injected', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '&', '!', '|', 'a', '@', ' ', ';', 'h', 't', 'p', ':', '/'), maxLength: 60 }), (value) => {
        const payload = webhookPayload({ labels: { instance: value }, annotations: { summary: value, description: value } });
        payload.groupLabels = { alertname: value };
        const raw = JSON.stringify(build(payload));
        for (const b of raw.match(/<[^>]*>/g) ?? []) expect(b).toMatch(/^<https?:\/\/[^|<>]+\|(Runbook|Dashboard|Graph|Silence)>$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mrkdwn helpers', () => {
  it('escapes &, < and >', () => {
    expect(escapeMrkdwn('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });

  it('never cuts an entity or a link in half', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '&', 'a', ' '), maxLength: 300 }), fc.integer({ min: 2, max: 200 }), (raw, max) => {
        const cut = truncateMrkdwn(`${escapeMrkdwn(raw)} <https://x.example/a|Runbook>`, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        const marker = cut.endsWith(truncatedMarker) ? truncatedMarker : cut.endsWith('…') ? '…' : '';
        if (cut !== `${escapeMrkdwn(raw)} <https://x.example/a|Runbook>`) expect(marker).not.toBe('');
        const body = cut.slice(0, cut.length - marker.length);
        expect(body).not.toMatch(/&[a-z]{0,3}$/);
        expect(body.lastIndexOf('<')).toBeLessThanOrEqual(body.lastIndexOf('>'));
      }),
      { numRuns: 500 },
    );
  });
});
