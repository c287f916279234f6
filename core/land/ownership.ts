/**
 * Whom a pull-request update branch belongs to, by the trailers of its head commit: the image (`Source-Image`),
 * else the source repository. Both landing paths (git and GitHub's API) refuse to replace a branch that belongs to
 * another image, or whose head was pushed by hand, with the same error.
 */
import { quoted } from '../display.js';
import { UserError } from '../errors.js';

export function branchOwner(trailers: Record<string, string>): string {
  if (trailers['Source-Image']) return `image ${quoted(trailers['Source-Image'])}`;
  if (trailers['Source-Repository']) return `repository ${quoted(trailers['Source-Repository'])}`;
  return '';
}

/** Throws `land/pull-request-branch-taken` unless the branch head's trailers name the same owner as ours. */
export function checkBranchOwnership(o: {
  branch: string;
  /** Where the branch is, for the message: the remote's name or URL, or `owner/repo`. */
  where: string;
  head: string;
  theirs: Record<string, string>;
  ours: Record<string, string>;
}): void {
  const ours = branchOwner(o.ours);
  const their = branchOwner(o.theirs);
  if (their === ours) return;
  throw new UserError({
    code: 'land/pull-request-branch-taken',
    message:
      `Pull request branch ${o.branch} already exists on ${o.where}, and its last commit ${o.head.slice(0, 12)} was not made ` +
      `for this update: it is for ${their || 'no image (no Source-Image or Source-Repository trailer: perhaps a commit pushed by hand)'}, ` +
      `this update is for ${ours || 'no image (the payload has no valid image or source.repository)'}. Nothing was pushed. ` +
      'If that branch may be replaced, merge or close its pull request and delete the branch, then run again.',
  });
}
