import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../core/git/redact.js';

describe('redactSecrets', () => {
  it('masks a known secret in plain, base64 (x-access-token) and URL-encoded form', () => {
    const token = 'sekr3t/with+chars';
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const text = `a ${token} b ${basic} c ${encodeURIComponent(token)}`;
    const out = redactSecrets(text, [token]);
    expect(out).not.toContain(token);
    expect(out).not.toContain(basic);
    expect(out).not.toContain(encodeURIComponent(token));
    expect(out).toBe('a *** b *** c ***');
  });

  it('masks GitHub token shapes, URL userinfo and authorization headers nobody declared', () => {
    const out = redactSecrets(
      [
        'token ghp_0123456789abcdefghijABCDEFGHIJ012345 here',
        'fine-grained github_pat_11AAAAAAA0123456789_abcdefghijklmnopqrstuvwxyz',
        "fatal: unable to access 'https://x-access-token:ghs_abc@github.com/o/r.git/'",
        'http.https://github.com/.extraheader AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Zm9v',
        'Authorization: Bearer abc.def.ghi',
      ].join('\n'),
    );
    expect(out).not.toMatch(/ghp_|github_pat_|ghs_abc|eC1hY2Nlc3Mt|abc\.def\.ghi/);
    expect(out).toContain('https://***@github.com/o/r.git/');
    expect(out).toContain('AUTHORIZATION: basic ***');
    expect(out).toContain('Authorization: Bearer ***');
  });

  it('leaves ordinary text alone', () => {
    const text = " ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs to '/tmp/r.git'";
    expect(redactSecrets(text, ['abc'])).toBe(text);
  });
});
