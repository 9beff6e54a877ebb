// Where the committed test fixtures are (test/fixtures/README.md says what they are and where they
// come from): the tests read only these, never the full evaluation data the benches use, so that they
// pass on a fresh clone.
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** Small subsets of the evaluation datasets, laid out `<set>/<file>` as the full data is (`processbench/gsm8k.json`, …). */
export const DATASETS = join(FIXTURES, 'datasets');
