// A cheap, tokenizer-free token estimate. Used for two things that must agree with each other:
// checking the token budget before a request is sent, and the scripted test server's reported usage
// (so the benches compare protocols on one yardstick). Real tokenizers average 3.5–4.5 characters
// per token on English and math; 4 keeps the estimate honest without a vocabulary.
export const CHARS_PER_TOKEN = 4;

/** Per-message framing tokens that chat templates add (role markers, separators). */
export const TOKENS_PER_MESSAGE = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateMessagesTokens(messages: readonly { content: string }[]): number {
  let total = 0;
  for (const message of messages) total += TOKENS_PER_MESSAGE + estimateTokens(message.content);
  return total;
}
