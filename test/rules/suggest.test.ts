import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../../core/suggest.js';

describe('suggest', () => {
  it('finds one-letter typos, including the seed article git_brach', () => {
    expect(suggest('git_brach', ['docker_image_tag', 'git_branch', 'commit_message'])).toBe('git_branch');
    expect(suggest('docker_image_tag_regx', ['docker_image_tag_regex', 'git_branch_regex'])).toBe(
      'docker_image_tag_regex',
    );
  });

  it('finds swapped neighbours and case slips', () => {
    expect(suggest('udpate', ['name', 'when', 'update'])).toBe('update');
    expect(suggest('Docker_Image_Tag', ['git_branch', 'docker_image_tag'])).toBe('docker_image_tag');
  });

  it('suggests nothing when nothing is close, or for an exact name', () => {
    expect(suggest('kustomize', ['name', 'when', 'update'])).toBeUndefined();
    expect(suggest('tag', ['git_branch'])).toBeUndefined();
    expect(suggest('x', [])).toBeUndefined();
    expect(suggest('update', ['update'])).toBeUndefined();
  });

  it('short words tolerate fewer edits than long ones', () => {
    expect(suggest('ab', ['xy'])).toBeUndefined();
    expect(suggest('abc', ['abd'])).toBe('abd');
    expect(suggest('environment_name', ['environmnt_nme'])).toBe('environmnt_nme');
  });

  it('prefers the closest, then the first', () => {
    expect(suggest('regexs', ['regexes', 'regex'])).toBe('regexes');
    expect(suggest('cat', ['bat', 'hat'])).toBe('bat');
  });
});

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
