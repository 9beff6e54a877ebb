// P(True) from the log-probabilities of the verdict token.
//
// The reply is JSON, so the verdict word sits inside `"verdict": "correct"`. A tokenizer may cut that
// in many ways: `"` + `correct` + `"`, ` "correct`, `cor` + `rect`, `Correct`. We find the verdict
// value's first character in the text (the concatenated tokens), take the token that covers it, and
// classify each of that token's `top_logprobs` alternatives by what it would start the value with:
// an alternative is a spelling of a word when, after the same lead-in (quote, space) the chosen token
// has, it is a non-empty prefix of that word, ignoring case. Then
//   P(True) = Σ p(spellings of the positive word) / (Σ p(positive) + Σ p(negative)).
// The two step words differ in their first letter (c/i), as do True/False, so a partial token is never
// ambiguous.
import { z } from 'zod';

export const TopLogprobSchema = z.object({ token: z.string(), logprob: z.number() });

export const TokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(TopLogprobSchema).nullish(),
});
export type TokenLogprob = z.infer<typeof TokenLogprobSchema>;

export const LogprobContentSchema = z.array(TokenLogprobSchema);

/** Character offsets (into `text`) of the first character of each `"<key>": "<value>"` string value, in order. */
export function findStringValueOffsets(text: string, key: string): number[] {
  // Inside a JSON string every `"` is escaped, so `"key"\s*:\s*"` can only match a real key.
  const pattern = new RegExp(`"${key}"\\s*:\\s*"`, 'g');
  const offsets: number[] = [];
  for (const match of text.matchAll(pattern)) offsets.push(match.index + match[0].length);
  return offsets;
}

export interface WordPair {
  positive: string;
  negative: string;
}

export const STEP_WORDS: WordPair = { positive: 'correct', negative: 'incorrect' };
export const ANSWER_WORDS: WordPair = { positive: 'true', negative: 'false' };

/** Which word an alternative token would start, given the lead-in before the value in the chosen token. */
export function classifySpelling(token: string, leadIn: string, words: WordPair): 'positive' | 'negative' | undefined {
  let rest = leadIn.length > 0 && token.startsWith(leadIn) ? token.slice(leadIn.length) : token.replace(/^[\s"'`:]+/, '');
  rest = rest.toLowerCase();
  // A token may run past the word into the closing quote (`correct"`, `true",`).
  rest = rest.replace(/["'`,}\]\s]+$/, '');
  if (rest.length === 0) return undefined;
  if (words.positive.startsWith(rest)) return 'positive';
  if (words.negative.startsWith(rest)) return 'negative';
  return undefined;
}

/** P(True) at one token position, or null when neither word is among its alternatives. */
export function pTrueAtToken(token: TokenLogprob, leadIn: string, words: WordPair): number | null {
  const seen = new Map<string, number>();
  for (const alt of token.top_logprobs ?? []) if (!seen.has(alt.token)) seen.set(alt.token, alt.logprob);
  // Some servers leave the chosen token out of its own alternatives.
  if (!seen.has(token.token)) seen.set(token.token, token.logprob);
  let positive = 0;
  let negative = 0;
  for (const [text, logprob] of seen) {
    const side = classifySpelling(text, leadIn, words);
    if (side === 'positive') positive += Math.exp(logprob);
    else if (side === 'negative') negative += Math.exp(logprob);
  }
  if (positive + negative === 0) return null;
  return positive / (positive + negative);
}

export interface ValueReading {
  /** The value as written (up to its closing quote), to pair it with the parsed reply. */
  value: string;
  pTrue: number | null;
}

/**
 * P(True) for each `"<key>": "..."` value in the token stream, in order of appearance
 * (null where the value's token could not be found or carries no spelling of either word).
 */
export function pTrueForValues(tokens: readonly TokenLogprob[], key: string, words: WordPair): (number | null)[] {
  return readValues(tokens, key, words).map((r) => r.pTrue);
}

export function readValues(tokens: readonly TokenLogprob[], key: string, words: WordPair): ValueReading[] {
  const starts: number[] = [];
  let text = '';
  for (const t of tokens) {
    starts.push(text.length);
    text += t.token;
  }
  return findStringValueOffsets(text, key).map((offset) => {
    // The token whose span covers the value's first character.
    let lo = 0;
    let hi = tokens.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const end = text.indexOf('"', offset);
    const value = text.slice(offset, end < 0 ? undefined : end);
    if (found < 0) return { value, pTrue: null };
    // Skip empty tokens that share the start offset (some servers emit them).
    while (found < tokens.length - 1 && tokens[found]!.token.length === 0) found++;
    const token = tokens[found]!;
    const leadIn = text.slice(starts[found]!, offset);
    return { value, pTrue: pTrueAtToken(token, leadIn, words) };
  });
}
