// P(True) from the log-probabilities of the verdict token.
//
// The reply is JSON and the verdict is the boolean after `"correct": ` (protocol.ts). A tokenizer may
// cut that text in several ways: ` true`, `true`, `":true`, or (rarely) `tr` + `ue`. We find the
// value's first character in the text (the concatenated tokens), take the token that covers it, and
// classify each of that token's `top_logprobs` alternatives by what it would start the value with: an
// alternative is a spelling of a word when, after the same lead-in (quote, colon, space) the chosen
// token has, it is a non-empty prefix of that word, ignoring case. Then
//   P(True) = Σ p(spellings of `true`) / (Σ p(spellings of `true`) + Σ p(spellings of `false`)).
// `true` and `false` differ in their first letter, so even a partial token is never ambiguous.
//
// Some endpoints return log-probabilities that carry no information: DeepSeek has returned 0 or −9999
// for every token with no alternatives, others the same value for every alternative. Such a reading is
// `degenerate`: it is not a probability, and the critic falls back to sampling.
import { z } from 'zod';

export const TopLogprobSchema = z.object({ token: z.string(), logprob: z.number() });

export const TokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(TopLogprobSchema).nullish(),
});
export type TokenLogprob = z.infer<typeof TokenLogprobSchema>;

export const LogprobContentSchema = z.array(TokenLogprobSchema);

/** What some servers put where a log-probability is unknown. */
const SENTINEL_LOGPROB = -9999;

/** Character offsets (into `text`) of the first character of each `"<key>": <value>` value, in order. */
export function findValueOffsets(text: string, key: string): number[] {
  // Inside a JSON string every `"` is escaped, so `"key"\s*:` can only match a real key.
  const pattern = new RegExp(`"${key}"\\s*:\\s*`, 'g');
  const offsets: number[] = [];
  for (const match of text.matchAll(pattern)) offsets.push(match.index + match[0].length);
  return offsets;
}

export interface WordPair {
  positive: string;
  negative: string;
}

export const VERDICT_WORDS: WordPair = { positive: 'true', negative: 'false' };

/** Which word an alternative token would start, given the lead-in before the value in the chosen token. */
export function classifySpelling(token: string, leadIn: string, words: WordPair): 'positive' | 'negative' | undefined {
  let rest = leadIn.length > 0 && token.startsWith(leadIn) ? token.slice(leadIn.length) : token.replace(/^[\s"'`:]+/, '');
  rest = rest.replace(/^["'`]+/, '').toLowerCase();
  // A token may run past the word into what follows (`true}`, `false,`, `true"`).
  rest = rest.replace(/["'`,}\]\s]+$/, '');
  if (rest.length === 0) return undefined;
  if (words.positive.startsWith(rest)) return 'positive';
  if (words.negative.startsWith(rest)) return 'negative';
  return undefined;
}

/** The alternatives at a token, the chosen token included (some servers leave it out). */
function alternatives(token: TokenLogprob): Map<string, number> {
  const seen = new Map<string, number>();
  for (const alt of token.top_logprobs ?? []) if (!seen.has(alt.token)) seen.set(alt.token, alt.logprob);
  if (!seen.has(token.token)) seen.set(token.token, token.logprob);
  return seen;
}

/**
 * Whether the alternatives at a token are no probability distribution at all: fewer than two of them
 * (none were given), a sentinel value, or one value shared by all.
 */
export function isDegenerate(token: TokenLogprob): boolean {
  // The same reading as alternatives(token) (a repeated alternative counts once, at its first value),
  // without building it: the endpoint check asks this of every token of every reply.
  const top = token.top_logprobs ?? [];
  let count = 0;
  let first = 0;
  let allEqual = true;
  const see = (value: number): boolean => {
    if (value <= SENTINEL_LOGPROB || !Number.isFinite(value)) return false;
    if (count === 0) first = value;
    else if (value !== first) allEqual = false;
    count++;
    return true;
  };
  let chosenListed = false;
  for (let i = 0; i < top.length; i++) {
    const alt = top[i]!;
    if (repeatsEarlier(top, i)) continue;
    if (alt.token === token.token) chosenListed = true;
    if (!see(alt.logprob)) return true;
  }
  if (!chosenListed && !see(token.logprob)) return true;
  return count < 2 || allEqual;
}

/** Whether the alternative at `i` has the token of an earlier one (top_logprobs holds about 20: a scan is cheaper than a set). */
function repeatsEarlier(top: readonly { token: string }[], i: number): boolean {
  const text = top[i]!.token;
  for (let j = 0; j < i; j++) if (top[j]!.token === text) return true;
  return false;
}

/** P(True) at one token position, or null when neither word is among its alternatives. */
export function pTrueAtToken(token: TokenLogprob, leadIn: string, words: WordPair): number | null {
  let positive = 0;
  let negative = 0;
  for (const [text, logprob] of alternatives(token)) {
    const side = classifySpelling(text, leadIn, words);
    if (side === 'positive') positive += Math.exp(logprob);
    else if (side === 'negative') negative += Math.exp(logprob);
  }
  if (positive + negative === 0) return null;
  return positive / (positive + negative);
}

export interface ValueReading {
  /** The value as written (up to the next `,`, `}` or newline), to pair it with the parsed reply. */
  value: string;
  pTrue: number | null;
  /** The token's alternatives carry no information (see isDegenerate); pTrue is then null. */
  degenerate: boolean;
}

/** The value as written after the key, without quotes: `true`, `false`, or whatever the model wrote. */
function valueAt(text: string, offset: number): string {
  const end = text.slice(offset).search(/[,}\]\n]/);
  return text
    .slice(offset, end < 0 ? undefined : offset + end)
    .trim()
    .replace(/^["']|["']$/g, '');
}

/**
 * P(True) for each `"<key>": <value>` in the token stream, in order of appearance (null where the
 * value's token could not be found, carries no spelling of either word, or is degenerate).
 */
export function readValues(tokens: readonly TokenLogprob[], key: string, words: WordPair): ValueReading[] {
  const starts: number[] = [];
  let text = '';
  for (const t of tokens) {
    starts.push(text.length);
    text += t.token;
  }
  return findValueOffsets(text, key).map((offset) => {
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
    const value = valueAt(text, offset);
    if (found < 0) return { value, pTrue: null, degenerate: false };
    // Skip empty tokens that share the start offset (some servers emit them).
    while (found < tokens.length - 1 && tokens[found]!.token.length === 0) found++;
    const token = tokens[found]!;
    if (isDegenerate(token)) return { value, pTrue: null, degenerate: true };
    const leadIn = text.slice(starts[found]!, offset);
    return { value, pTrue: pTrueAtToken(token, leadIn, words), degenerate: false };
  });
}
