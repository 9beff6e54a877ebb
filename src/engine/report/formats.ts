// Every report format by name, as `check --format` and `report --format` offer them: one place that
// turns a format and its options into the renderer that writes it entry by entry.
import type { FailOn } from './build';
import { csvRenderer } from './csv';
import { htmlRenderer } from './html';
import type { HtmlReportOptions } from './html';
import { jsonRenderer } from './json';
import { junitRenderer } from './junit';
import { markdownRenderer } from './markdown';
import { sarifRenderer } from './sarif';
import type { StreamRenderer } from './stream';
import type { TextOptions } from './text';
import { textRenderer } from './text';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown', 'junit', 'html', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FORMAT_BY_EXTENSION: Record<string, ReportFormat> = {
  '.html': 'html',
  '.htm': 'html',
  '.sarif': 'sarif',
  '.json': 'json',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.xml': 'junit',
  '.txt': 'text',
  '.csv': 'csv',
};

/** The format a file name asks for (`report.html` → html), if any. */
export function formatOfFile(path: string): ReportFormat | undefined {
  const match = /\.[^./\\]+$/.exec(path);
  return match ? FORMAT_BY_EXTENSION[match[0].toLowerCase()] : undefined;
}

export interface RenderOptions {
  /** Text, Markdown, SARIF: every step, not only the findings. */
  verbose?: boolean;
  /** Text: terminal styles. */
  paint?: TextOptions['paint'];
  /** SARIF: `file:` URL that relative paths are relative to. */
  baseUri?: string;
  /** SARIF: the critic prompt's version, in every result. */
  promptVersion?: string;
  /** JUnit: the level that makes a testcase a failure. */
  failOn?: FailOn;
  /** HTML. */
  html?: Omit<HtmlReportOptions, 'triage'>;
}

export function rendererFor(format: ReportFormat, options: RenderOptions = {}): StreamRenderer {
  switch (format) {
    case 'text':
      return textRenderer({ verbose: options.verbose ?? false, ...(options.paint ? { paint: options.paint } : {}) });
    case 'json':
      return jsonRenderer();
    case 'sarif':
      return sarifRenderer({
        verbose: options.verbose ?? false,
        ...(options.baseUri ? { baseUri: options.baseUri } : {}),
        ...(options.promptVersion !== undefined ? { promptVersion: options.promptVersion } : {}),
      });
    case 'markdown':
      return markdownRenderer({ verbose: options.verbose ?? false });
    case 'junit':
      return junitRenderer({ failOn: options.failOn === 'never' || options.failOn === undefined ? 'incorrect' : options.failOn });
    case 'html':
      return htmlRenderer(options.html ?? {});
    case 'csv':
      return csvRenderer();
  }
}
