/**
 * "Did you mean ...?" for names a user typed: regex names, variables, config keys.
 */

/**
 * The candidate closest to `word` by edit distance (insert, delete, substitute, swap of two neighbours),
 * or `undefined` when none is close enough to be a plausible typo. Case differences cost nothing extra
 * beyond one edit each, so `Docker_Image_Tag` still finds `docker_image_tag`. Ties go to the earlier candidate.
 */
export function suggest(word: string, candidates: string[]): string | undefined {
  const limit = allowedDistance(word);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    // Compare case-insensitively first: a pure case slip is the likeliest typo of all.
    const d = candidate.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, candidate, limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined || bestDistance > limit || best === word) return undefined;
  return best;
}

/** Short words tolerate fewer edits, or everything would look like a typo of everything. */
function allowedDistance(word: string): number {
  if (word.length <= 3) return 1;
  if (word.length <= 6) return 2;
  return Math.ceil(word.length * 0.3);
}

/** Optimal string alignment distance; stops early once every path exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, prevPrev[j - 2]! + 1);
      }
      row.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}
