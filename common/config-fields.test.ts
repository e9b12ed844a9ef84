import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanSetting, fixedPortNumber, parseEnv, portNumber } from './config-fields.ts';

describe('booleanSetting', () => {
  it('reads "false", "0", "no" and "off" as false and their opposites as true', () => {
    for (const text of ['false', 'FALSE', '0', 'no', 'off']) expect(booleanSetting.parse(text), text).toBe(false);
    for (const text of ['true', 'True', '1', 'yes', 'on']) expect(booleanSetting.parse(text), text).toBe(true);
    expect(booleanSetting.parse(false)).toBe(false);
    expect(booleanSetting.parse(true)).toBe(true);
  });

  it('refuses anything else with a message saying what it expects', () => {
    for (const value of ['maybe', '', 2]) {
      const parsed = booleanSetting.safeParse(value);
      expect(parsed.success, String(value)).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/expected true or false/);
    }
  });
});

describe('ports', () => {
  it('takes 0-65535 from numbers or text; a fixed port cannot be 0', () => {
    expect(portNumber.parse('0')).toBe(0);
    expect(portNumber.parse(65535)).toBe(65535);
    for (const bad of ['65536', '-1', '80.5', 'http']) expect(portNumber.safeParse(bad).success, bad).toBe(false);
    expect(fixedPortNumber.safeParse('0').success).toBe(false);
    expect(fixedPortNumber.parse('9090')).toBe(9090);
  });
});

describe('parseEnv', () => {
  const schema = z.object({ PORT: portNumber.default(8080), DEBUG: booleanSetting.default(true), SECRET_URL: z.url().optional() });

  it('leaves unset and empty variables to their defaults and ignores variables the schema does not name', () => {
    expect(parseEnv(schema, { PORT: '', DEBUG: 'false', OTHER: 'x' })).toEqual({ ok: true, value: { PORT: 8080, DEBUG: false } });
  });

  it('names every bad variable and why, never its value', () => {
    const result = parseEnv(schema, { PORT: '99999', SECRET_URL: 'hunter2-not-a-url' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^PORT: /);
    expect(problems[1]).toMatch(/^SECRET_URL: /);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
