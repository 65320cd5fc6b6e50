import { editDistance } from '../core/closest-names.ts';

/**
 * The candidate a typo most likely meant, or undefined when none is close: within 2 edits or a
 * third of the word's length, and fewer edits than the word is long (`ab` is not a typo of `cd`).
 * Case is ignored so `Count` finds `count`; a tie goes to the first candidate, for a stable answer.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    const close = (distance <= 2 || distance <= word.length / 3) && distance < Math.max(word.length, candidate.length);
    if (close && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
