// The sentence a formula stands in: the words that say what it means ("if", "not", "the equations") count
// only in its own sentence, never in the one before or after it.

/**
 * Where a sentence ends: `. ` (not a decimal point), a blank line, a display closed before a capital
 * (`\] This does not add …`).
 */
const SENTENCE_END = /[.!?](?=\s)|\n\s*\n|(?:\\\]|\$\$)\s+(?=[A-Z])/;

/** The part of its sentence before `at`, at most `reach` characters. */
export function sentenceBefore(text: string, at: number, reach: number): string {
  return text
    .slice(Math.max(0, at - reach), at)
    .split(SENTENCE_END)
    .pop()!;
}

/** The part of its sentence after `at`, at most `reach` characters. */
export function sentenceAfter(text: string, at: number, reach: number): string {
  return text.slice(at, at + reach).split(SENTENCE_END)[0]!;
}
