// CSV and TSV datasets (pandas' `to_csv`, spreadsheets), streamed with csv-parse: the first row names
// the fields, every later row is one record of text fields. A row wider or narrower than the header is
// read as far as it goes; quoting that cannot be read ends the file there, said with its line.
import { parse, type Info } from 'csv-parse';
import type { Readable } from 'node:stream';
import { errorMessage } from '../error-message';
import { DEFAULT_MAX_FILE_BYTES } from '../files/read';
import { recordOfValue, type DatasetRecord, type DatasetStreamOptions } from './dataset-record';

interface ParsedRow {
  record: Record<string, string>;
  info: Info;
}

export async function* streamCsv(text: Readable, delimiter: ',' | '\t', options: DatasetStreamOptions = {}): AsyncGenerator<DatasetRecord> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_FILE_BYTES;
  const what = delimiter === '\t' ? 'TSV' : 'CSV';
  const parser = text.pipe(
    parse({
      columns: (header: string[]) => header.map((name) => name.trim()),
      delimiter,
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // A row that cannot be read (a stray quote) is reported in its place and the next one read.
      skip_records_with_error: true,
      // One cell may not hold the whole memory: past the record limit (in characters) the file stops.
      max_record_size: maxBytes,
    }),
  );
  // The parser reports a skipped row while it parses ahead of what has been taken: each is given in its
  // place by the line it was found on.
  const unreadable: { lines: number; reason: string }[] = [];
  parser.on('skip', (error: Error & { lines?: number }) => unreadable.push({ lines: error.lines ?? 0, reason: error.message }));
  let index = 0;
  let lines = 0;
  const failures = function* (before = Infinity): Generator<DatasetRecord> {
    while (unreadable.length > 0 && unreadable[0]!.lines < before) {
      const { reason } = unreadable.shift()!;
      yield { ok: false, index: index++, error: `a row of the ${what} could not be read (${reason})`, raw: '' };
    }
  };
  try {
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      yield* failures(row.info.lines);
      lines = row.info.lines;
      yield recordOfValue(index++, row.record, maxBytes);
    }
    yield* failures();
  } catch (error) {
    yield* failures();
    yield { ok: false, index, error: `not valid ${what} after line ${lines} (${errorMessage(error)}); the rows after it were not read`, raw: '' };
  } finally {
    text.destroy();
  }
}
