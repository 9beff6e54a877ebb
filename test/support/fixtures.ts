// Where the committed test fixtures are (test/fixtures/README.md says what they are and where they
// come from): the tests never read ../shared, so that they pass on a fresh clone.
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** Small subsets of the evaluation datasets, laid out as in ../shared/data (`processbench/gsm8k.json`, …). */
export const DATASETS = join(FIXTURES, 'datasets');
