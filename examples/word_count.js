// Count how often each word occurs in a text, ignoring case and punctuation.

function wordCount(text) {
  const counts = new Map();
  for (const word of text.toLowerCase().match(/[a-z']+/g) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

if (require.main === module) {
  const counts = wordCount('The cat and the hat.');
  console.assert(counts.get('the') === 2);
  console.assert(counts.get('hat') === 1);
}
