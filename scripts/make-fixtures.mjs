// Writes the small dataset fixtures the tests read (test/fixtures/datasets/) from the full data in
// ../shared/data: a few records of each set, in their original order and format, so that
// `npm test` passes on a fresh clone without ../shared. Run it again only to change what they hold;
// test/fixtures/README.md says where each file comes from and under which licence.
//
//   node scripts/make-fixtures.mjs [path/to/shared/data]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const from = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'data');
const to = join(import.meta.dirname, '..', 'test', 'fixtures', 'datasets');

const read = (path) => readFileSync(join(from, path), 'utf8');
const lines = (path) =>
  read(path)
    .split('\n')
    .filter((l) => l.trim() !== '');
const write = (path, text) => {
  mkdirSync(dirname(join(to, path)), { recursive: true });
  writeFileSync(join(to, path), text);
};
/** A JSON array, one record per line (readable in a diff). */
const jsonArray = (records) => `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;

// ProcessBench: the first erroneous records and the first correct ones, in file order (the files are
// sorted by label, which is what `eval --sample` is for).
const processBench = (name, erroneous, correct) => {
  const records = JSON.parse(read(`processbench/${name}`));
  const firstCorrect = records.findIndex((r) => r.label === -1);
  write(`processbench/${name}`, jsonArray([...records.slice(0, erroneous), ...records.slice(firstCorrect, firstCorrect + correct)]));
};
processBench('gsm8k.json', 20, 12);
processBench('math.json', 24, 4);

write('gsm8k/test.jsonl', `${lines('gsm8k/test.jsonl').slice(0, 40).join('\n')}\n`);

// MR-BEN math: an object of question id → solutions; the first eight questions.
const mrBen = JSON.parse(read('mr-ben/math.json'));
write('mr-ben/math.json', `${JSON.stringify(Object.fromEntries(Object.entries(mrBen).slice(0, 8)), null, 1)}\n`);

// MR-BEN coding: the first five questions (a labelled wrong line, one labelled "", all-correct ones).
const mrBenCoding = JSON.parse(read('mr-ben/coding.json'));
write('mr-ben/coding.json', `${JSON.stringify(Object.fromEntries(Object.entries(mrBenCoding).slice(0, 5)), null, 1)}\n`);

write(
  'mr-gsm8k/MR-GSM8K_incorrect_subset_from_gpt4-grading.jsonl',
  `${lines('mr-gsm8k/MR-GSM8K_incorrect_subset_from_gpt4-grading.jsonl').slice(0, 3).join('\n')}\n`,
);
write('big-bench-mistake/multistep_arithmetic.jsonl', `${lines('big-bench-mistake/multistep_arithmetic.jsonl').slice(0, 4).join('\n')}\n`);
write('big-bench-mistake/word_sorting.jsonl', `${lines('big-bench-mistake/word_sorting.jsonl').slice(0, 1).join('\n')}\n`);
write('prmbench/target_data.jsonl', `${lines('prmbench/target_data.jsonl').slice(0, 2).join('\n')}\n`);
write('humanevalfix/humanevalpack.jsonl', `${lines('humanevalfix/humanevalpack.jsonl').slice(0, 2).join('\n')}\n`);

// QuixBugs: the gcd program and its JSON test cases (read beside the dataset).
const gcd = lines('quixbugs/quixbugs_python.jsonl').find((l) => JSON.parse(l).name === 'gcd');
write('quixbugs/quixbugs_python.jsonl', `${gcd}\n`);
mkdirSync(join(to, 'quixbugs', 'json_testcases'), { recursive: true });
copyFileSync(join(from, 'quixbugs', 'json_testcases', 'gcd.json'), join(to, 'quixbugs', 'json_testcases', 'gcd.json'));
console.log(`wrote the fixtures under ${to}`);
