// A report re-rendered from a run log, without judging anything again: the log's entries (the latest
// per item) become the files of a Report, and its header supplies the tool, prompt version and critic.
import type { FailOn } from '../report/build';
import { buildReport } from '../report/build';
import type { Report } from '../report/schema';
import type { LoadedRunLog } from './run-log';

export function reportFromRunLog(log: LoadedRunLog, options: { failOn?: FailOn } = {}): Report {
  const files = log.items.map((item) => item.entry);
  const durationMs = log.end?.durationMs;
  return buildReport(files, {
    toolVersion: log.header.tool.version,
    critic: log.header.critic,
    ...(log.header.tool.protocolVersion !== undefined ? { promptVersion: log.header.tool.protocolVersion } : {}),
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    createdAt: new Date(log.end?.at ?? log.items[log.items.length - 1]?.at ?? log.header.startedAt),
  });
}
