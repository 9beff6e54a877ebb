// Streams the records of a dataset file one at a time, so that memory depends on the size of one
// record, never on how many there are.
//
// - JSONL (`.jsonl`, `.ndjson`, optionally compressed, decompress.ts): node:readline, one record per non-blank line.
//   Files are read as what they hold, whatever their name says: JSON Lines under a `.json` name (as
//   pandas and Hugging Face datasets write them), a JSON array under a `.jsonl` one.
// - JSON (`.json`): a top-level array of records (ProcessBench) is read with @streamparser/json, which
//   emits each element as soon as it is complete and, with `keepStack: false`, drops it from its
//   parent; JSON.parse would need the whole file (and its parse tree) in memory. A top-level object
//   whose values are arrays of records (MR-BEN: question id → solutions; `{"meta": …, "data": […]}`) is
//   streamed per array, its other values skipped as metadata. An object with a record's own fields is
//   one record.
// - Parquet (`.parquet`, what Hugging Face datasets and pandas keep) and CSV/TSV: dataset-parquet.ts,
//   dataset-csv.ts.
import { JSONParser } from '@streamparser/json';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { errorMessage } from '../error-message';
import { isRecordField } from '../datasets/records';
import { datasetKindOf, type DatasetKind } from '../files/kinds';
import { DEFAULT_MAX_FILE_BYTES } from '../files/read';
import { oversized, recordOfValue, type DatasetRecord, type DatasetStreamOptions } from './dataset-record';
import { streamCsv } from './dataset-csv';
import { streamParquet } from './dataset-parquet';
import { decompressorFor } from './decompress';

export type { DatasetRecord, DatasetStreamOptions } from './dataset-record';

/** A single JSON object file is read whole; past this it is refused rather than exhausting memory. */
export const MAX_SINGLE_OBJECT_BYTES = 64 * 1024 * 1024;

function openText(path: string, highWaterMark = 256 * 1024): Readable {
  const file = createReadStream(path, { highWaterMark });
  const done = () => undefined;
  // pipeline passes an error of any stage on to the reader, and a reader that stops early closes the file.
  const decompress = decompressorFor(path);
  return decompress ? pipeline(file, decompress, asUtf8(), done) : pipeline(file, asUtf8(), done);
}

/**
 * The bytes of a dataset as UTF-8 without a byte-order mark: UTF-16LE with its BOM (what Windows
 * PowerShell's `>` writes) is decoded, big-endian UTF-16 refused in words; UTF-8 passes as it is.
 */
function asUtf8(): Transform {
  let decoder: StringDecoder | undefined;
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let bytes = chunk;
      if (first) {
        first = false;
        if (bytes[0] === 0xfe && bytes[1] === 0xff) return done(new Error('UTF-16 big-endian text: save it as UTF-8'));
        if (bytes[0] === 0xff && bytes[1] === 0xfe) {
          decoder = new StringDecoder('utf16le');
          bytes = bytes.subarray(2);
        } else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      }
      done(null, decoder ? Buffer.from(decoder.write(bytes), 'utf8') : bytes);
    },
    flush(done) {
      done(null, decoder ? Buffer.from(decoder.end(), 'utf8') : undefined);
    },
  });
}

export async function* streamJsonl(path: string, options: DatasetStreamOptions = {}): AsyncGenerator<DatasetRecord> {
  // A JSON array saved under a JSON Lines name is read as what it is.
  if ((await firstSignificantChar(path)) === '[') {
    yield* streamJsonArrayOrObject(path, options);
    return;
  }
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_FILE_BYTES;
  const lines = createInterface({ input: openText(path).setEncoding('utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  let index = 0;
  for await (const text of lines) {
    lineNumber += 1;
    const raw = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (raw.trim().length === 0) continue;
    const tooLarge = oversized(raw, maxBytes);
    if (tooLarge) {
      yield { ok: false, index, line: lineNumber, error: tooLarge, raw: raw.slice(0, 4096), skipped: true };
      index += 1;
      continue;
    }
    try {
      yield { ok: true, index, line: lineNumber, value: JSON.parse(raw) as unknown, raw };
    } catch (error) {
      yield { ok: false, index, line: lineNumber, error: `line ${lineNumber} is not valid JSON (${errorMessage(error)})`, raw: raw.slice(0, 4096) };
    }
    index += 1;
  }
}

/**
 * Whether a file that starts with an object holds JSON Lines: its first line is a whole JSON object and
 * more follows (pandas' `to_json(lines=True)` and Hugging Face's `to_json` write JSON Lines under a
 * `.json` name). Only the first `maxBytes` are looked at: a minified wrapper object on one long line
 * is not read whole to find out.
 */
async function holdsJsonLines(path: string, maxBytes: number): Promise<boolean> {
  const stream = openText(path, 64 * 1024).setEncoding('utf8');
  let head = '';
  try {
    for await (const chunk of stream) {
      head += chunk as string;
      const start = head.search(/\S/);
      const newline = start < 0 ? -1 : head.indexOf('\n', start);
      if (newline >= 0) {
        const more = /\S/.test(head.slice(newline + 1));
        if (!more && head.length < maxBytes) continue;
        return more && isJsonObject(head.slice(start, newline));
      }
      if (head.length > maxBytes) return false;
    }
    return false;
  } finally {
    stream.destroy();
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The first non-blank character of a file, to tell an array from an object. */
async function firstSignificantChar(path: string): Promise<string | undefined> {
  const stream = openText(path, 4096).setEncoding('utf8');
  try {
    for await (const chunk of stream) {
      const found = /\S/.exec(chunk as string);
      if (found) return found[0];
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}

/**
 * Feeds a file through a streaming JSON parser and yields what `onValue` emits, chunk by chunk: the
 * next chunk is read only when the consumer has taken every value of the previous one.
 */
async function* streamJsonValues(path: string, paths: string[]): AsyncGenerator<{ value: unknown; key: unknown }> {
  const parser = new JSONParser({ paths, keepStack: false });
  const ready: { value: unknown; key: unknown }[] = [];
  parser.onValue = ({ value, key }) => {
    ready.push({ value, key });
  };
  for await (const chunk of openText(path)) {
    let broken: unknown;
    try {
      parser.write(chunk as Uint8Array);
    } catch (error) {
      broken = error;
    }
    // The values the chunk completed before the break are kept.
    while (ready.length > 0) yield ready.shift()!;
    if (broken === undefined) continue;
    // The first value ended and more follows: several JSON values, one per line, under a .json name.
    if (parser.isEnded) throw new Error('more JSON follows the first value: a .json file holds one array or object, JSON Lines of records go in a .jsonl file');
    throw broken;
  }
  if (!parser.isEnded) parser.end();
  while (ready.length > 0) yield ready.shift()!;
}

export async function* streamJsonArrayOrObject(path: string, options: DatasetStreamOptions = {}): AsyncGenerator<DatasetRecord> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_FILE_BYTES;
  const record = (index: number, value: unknown) => recordOfValue(index, value, maxBytes);
  const first = await firstSignificantChar(path);
  if (first === undefined) throw new Error('the file is empty');
  let index = 0;
  if (first === '[') {
    try {
      for await (const { value } of streamJsonValues(path, ['$.*'])) {
        yield record(index, value);
        index += 1;
      }
    } catch (error) {
      // Records before the break were read and are kept; the rest of the file cannot be.
      yield { ok: false, index, error: `not valid JSON after record ${index} (${errorMessage(error)}); the rest of the file was not read`, raw: '' };
    }
    return;
  }
  if (first !== '{') throw new Error(`a JSON dataset must be an array of records or an object; it starts with ${JSON.stringify(first)}`);
  if (await holdsJsonLines(path, maxBytes)) {
    yield* streamJsonl(path, options);
    return;
  }

  // An object: a wrapper whose arrays are the records ({ "q-1": [records…] }, { "meta": {…}, "data":
  // [records…] }; its other values are metadata and skipped), or one record (read whole).
  let single = false;
  try {
    for await (const { value, key } of streamJsonValues(path, ['$.*'])) {
      if (isRecordField(String(key), value)) {
        if (index > 0) {
          yield {
            ok: false,
            index,
            error: `the object mixes arrays of records with record fields ("${String(key)}"); the rest of the file was not read`,
            raw: '',
          };
          return;
        }
        single = true;
        break;
      }
      if (!isArrayOfRecords(value)) continue;
      for (const element of value) {
        yield record(index, element);
        index += 1;
      }
    }
  } catch (error) {
    yield { ok: false, index, error: `not valid JSON after record ${index} (${errorMessage(error)}); the rest of the file was not read`, raw: '' };
    return;
  }
  if (!single && index > 0) return;
  const size = (await stat(path)).size;
  if (size > MAX_SINGLE_OBJECT_BYTES) {
    throw new Error(`a single JSON object of ${Math.round(size / 1e6)} MB is too large to read as one record`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of openText(path)) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\ufeff/, '');
  const tooLarge = oversized(raw, maxBytes);
  if (tooLarge) {
    yield { ok: false, index: 0, error: tooLarge, raw: raw.slice(0, 4096), skipped: true };
    return;
  }
  try {
    yield { ok: true, index: 0, value: JSON.parse(raw) as unknown, raw };
  } catch (error) {
    yield { ok: false, index: 0, error: `not valid JSON (${errorMessage(error)})`, raw: raw.slice(0, 4096) };
  }
}

function isArrayOfRecords(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** Every record of a dataset file, streamed. Throws only when the file cannot be read at all. */
export function streamDataset(
  path: string,
  kind: DatasetKind = datasetKindOf(path) ?? 'jsonl',
  options: DatasetStreamOptions = {},
): AsyncGenerator<DatasetRecord> {
  switch (kind) {
    case 'jsonl':
      return streamJsonl(path, options);
    case 'json':
      return streamJsonArrayOrObject(path, options);
    case 'parquet':
      return streamParquet(path, options);
    case 'csv':
    case 'tsv':
      return streamCsv(openText(path), kind === 'tsv' ? '\t' : ',', options);
  }
}
