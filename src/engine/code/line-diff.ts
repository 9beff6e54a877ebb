// Which lines of a buggy program differ from the fixed one: a longest-common-subsequence line diff.
// Lines that only the buggy version has are the bug; where the buggy version only lacks lines (a
// deletion: "missing logic"), the lines on either side of the gap are labelled, since the fix goes
// between them.

/** 1-based line numbers of `buggy` that the fix touches. Blank lines never count. */
export function changedLines(buggy: readonly string[], fixed: readonly string[]): number[] {
  const norm = (s: string) => s.trimEnd();
  const n = buggy.length;
  const m = fixed.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = norm(buggy[i]!) === norm(fixed[j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const changed = new Set<number>();
  const gaps: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && norm(buggy[i]!) === norm(fixed[j]!)) {
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      if (fixed[j]!.trim()) gaps.push(i); // a fixed-only line goes before buggy line i
      j++;
    } else {
      if (buggy[i]!.trim()) changed.add(i + 1);
      i++;
    }
  }
  if (changed.size === 0) {
    for (const gap of gaps) {
      for (let k = gap - 1; k >= 0; k--) {
        if (buggy[k]!.trim()) {
          changed.add(k + 1);
          break;
        }
      }
      for (let k = gap; k < n; k++) {
        if (buggy[k]!.trim()) {
          changed.add(k + 1);
          break;
        }
      }
    }
  }
  return [...changed].sort((a, b) => a - b);
}
