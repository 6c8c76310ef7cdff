import { describe, expect, it } from 'vitest';
import { githubValidator } from './openapi-validator.js';

// The harness must itself reject what GitHub would reject, or the forge tests prove nothing.
describe('OpenAPI request validator used by the fake GitHub', () => {
  const base = { query: {}, headers: { 'content-type': 'application/json' }, body: undefined };
  it('accepts well-formed requests and names the operation', async () => {
    const v = await githubValidator();
    expect(
      v.validate({ ...base, method: 'get', path: '/repos/o/r/pulls', query: { state: 'open', per_page: '100' } }),
    ).toBe('pulls/list');
    expect(
      v.validate({ ...base, method: 'post', path: '/repos/o/r/git/refs', body: { ref: 'refs/heads/x', sha: 'abc' } }),
    ).toBe('git/create-ref');
  });
  it.each([
    [
      'missing required body field',
      { method: 'post', path: '/repos/o/r/git/refs', body: { ref: 'refs/heads/x' } },
      /must have required property 'sha'/,
    ],
    ['bad enum in query', { method: 'get', path: '/repos/o/r/pulls', query: { state: 'merged' } }, /allowed values/],
    ['wrong type', { method: 'patch', path: '/repos/o/r/pulls/1', body: { title: 42 } }, /must be string/],
    ['operation the fake does not serve', { method: 'delete', path: '/repos/o/r' }, /no GitHub operation matches/],
    [
      'contents PUT without message',
      { method: 'put', path: '/repos/o/r/contents/a.yaml', body: { content: 'eA==' } },
      /message/,
    ],
  ])('rejects %s', async (_name, req, error) => {
    const v = await githubValidator();
    expect(() => v.validate({ ...base, ...req })).toThrow(error);
  });
});
