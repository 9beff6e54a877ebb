// A run log read back whole, for tests that look at every item: the index, the items in input order,
// and the report built from them (what `stepcritic report` renders).
import type { RunLogIndex } from '../../src/engine/batch/run-log-reader';
import { readRunLog, runLogMeta } from '../../src/engine/batch/run-log-reader';
import type { RunLogItem } from '../../src/engine/batch/run-log';
import { buildReport } from '../../src/engine/report/build';
import type { Report } from '../../src/engine/report/schema';

export async function loadRunLog(path: string): Promise<{ log: RunLogIndex; items: RunLogItem[]; report: Report }> {
  const log = await readRunLog(path);
  const items: RunLogItem[] = [];
  for await (const item of log.items()) items.push(item);
  return {
    log,
    items,
    report: buildReport(
      items.map((i) => i.entry),
      runLogMeta(log),
    ),
  };
}
