import { describe, expect, it } from 'vitest';
import { collectVariables } from '../../core/rules/variables.js';

const event = {
  action: 'update-gitops-repo',
  client_payload: {
    docker_image_tag: '1.4.0-dev',
    git_branch: 'main',
    commit_message: 'Fix "quotes"\nand a newline',
    build_number: 42,
    ratio: 1.5,
    empty: '',
    flag: true,
    nothing: null,
    source: { repository: 'org/app', sha: 'abc' },
    list: ['a'],
  },
  repository: { full_name: 'org/gitops' },
};

describe('collectVariables', () => {
  it('takes top-level strings and numbers of client_payload, plus event_type', () => {
    expect(collectVariables({ event })).toEqual({
      docker_image_tag: '1.4.0-dev',
      git_branch: 'main',
      commit_message: 'Fix "quotes"\nand a newline',
      build_number: '42',
      ratio: '1.5',
      empty: '',
      event_type: 'update-gitops-repo',
    });
  });

  it('ignores objects, arrays, booleans and null', () => {
    const vars = collectVariables({ event });
    for (const key of ['flag', 'nothing', 'source', 'list', 'repository']) expect(Object.hasOwn(vars, key)).toBe(false);
  });

  it('overrides replace payload values only when non-empty', () => {
    const vars = collectVariables({
      event,
      overrides: { docker_image_tag: '', git_branch: 'release', extra: undefined },
    });
    expect(vars.docker_image_tag).toBe('1.4.0-dev');
    expect(vars.git_branch).toBe('release');
    expect(Object.hasOwn(vars, 'extra')).toBe(false);
  });

  it('an override sets a variable the payload lacks', () => {
    expect(collectVariables({ event: { client_payload: {} }, overrides: { docker_image_tag: 'v1' } })).toEqual({
      docker_image_tag: 'v1',
    });
  });

  it('a payload key named event_type cannot replace the real event type', () => {
    expect(collectVariables({ event: { action: 'real', client_payload: { event_type: 'fake' } } }).event_type).toBe(
      'real',
    );
  });

  it('falls back to workflow_dispatch inputs', () => {
    expect(collectVariables({ event: { inputs: { docker_image_tag: 'v2', n: 3 } } })).toEqual({
      docker_image_tag: 'v2',
      n: '3',
    });
  });

  it('copes with no event at all, and keeps odd keys as plain own properties', () => {
    expect(collectVariables({ event: undefined })).toEqual({});
    expect(collectVariables({ event: 'garbage' })).toEqual({});
    const vars = collectVariables({ event: JSON.parse('{"client_payload": {"__proto__": "x", "constructor": "y"}}') });
    expect(Object.hasOwn(vars, '__proto__')).toBe(true);
    expect(vars.constructor).toBe('y');
    expect(Object.getPrototypeOf(vars)).toBe(Object.prototype);
  });
});
