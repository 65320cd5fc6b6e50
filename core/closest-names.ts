/** Levenshtein distance: the fewest single-character edits (insert, delete, substitute) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidates a mistyped `name` most likely meant, closest first, at most `limit`: those
 * within a few edits (about a third of the name), else those sharing its longest dotted prefix
 * (`latency.publishToAccept.p90` → the other `latency.publishToAccept.*`).
 */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const all = [...new Set(candidates)];
  const near = all
    .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(name.length / 3)))
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate));
  if (near.length > 0) return near.slice(0, limit).map(({ candidate }) => candidate);
  const parts = name.split('.');
  for (let keep = parts.length - 1; keep > 0; keep--) {
    const prefix = `${parts.slice(0, keep).join('.')}.`;
    const shared = all.filter((candidate) => candidate.startsWith(prefix)).sort();
    if (shared.length > 0) return shared.slice(0, limit);
  }
  return [];
}
