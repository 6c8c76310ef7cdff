import { describe, expect, it } from 'vitest';
import { redact } from './redact.js';
import { parseRetryAfter } from './retry-after.js';

describe('redact: the strictest rules of the two redactors it replaced', () => {
  it.each([
    ['as given', 'token s3cr3t-T0ken! in text', ['s3cr3t-T0ken!'], 'token [REDACTED] in text'],
    [
      'URL-encoded (a redirect echoing it)',
      'location: /login?next=a%2Fb%3Dc%26d',
      ['a/b=c&d'],
      'location: /login?next=[REDACTED]',
    ],
    [
      'each line of a PEM key',
      'bad key line MIIEpAIBAAKCAQEA7',
      ['-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA7\n-----END KEY-----'],
      'bad key line [REDACTED]',
    ],
    ['a 4-character secret', 'pw=abcd', ['abcd'], 'pw=[REDACTED]'],
    ['both encodings of one secret', 'a tok/en+1 b tok%2Fen%2B1 c', ['tok/en+1'], 'a [REDACTED] b [REDACTED] c'],
    ['too short to hide anything', 'a b c', ['b'], 'a b c'],
    ['longest first', 'key-12345678', ['key-12345678', '12345678'], '[REDACTED]'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);
  it.each([
    ['120', 120],
    [' 7 ', 7],
    ['1.5', 2],
    ['Mon, 30 Nov 2026 12:01:30 GMT', 90],
    ['Mon, 30 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });
});
