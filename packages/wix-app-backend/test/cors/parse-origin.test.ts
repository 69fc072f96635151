import { describe, expect, it } from 'vitest';
import { parseOrigin } from '../../src/cors/parse-origin';

describe('parseOrigin', () => {
  it.each([
    ['https://a.example', 'https://a.example'],
    ['HTTPS://A.Example:443', 'https://a.example'],
    ['https://a.example/', 'https://a.example'],
    ['http://localhost:4000', 'http://localhost:4000'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
  ])('canonicalises %s to %s', (text, origin) => {
    expect(parseOrigin(text)).toBe(origin);
  });

  it.each([
    '*',
    'a.example',
    'https://*.example.com',
    'https://a.example/path',
    'https://a.example?x=1',
    'https://a.example#top',
    'https://user:pass@a.example',
    'ftp://a.example',
    'null',
    '',
  ])('refuses %j: not exactly one origin', (text) => {
    expect(parseOrigin(text)).toBeNull();
  });
});
