// Parquet datasets (what Hugging Face datasets, pandas and polars keep), read with hyparquet one row
// group at a time: memory follows the largest row group, not the file. Every codec the writers use is
// read (snappy by hyparquet; zstd, gzip, brotli, lz4 by hyparquet-compressors). Each row becomes the
// JSON object a JSON Lines file of the same data would hold, so the record formats read it alike.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { errorMessage } from '../error-message';
import { DEFAULT_MAX_FILE_BYTES } from '../files/read';
import { recordOfValue, type DatasetRecord, type DatasetStreamOptions } from './dataset-record';

export async function* streamParquet(path: string, options: DatasetStreamOptions = {}): AsyncGenerator<DatasetRecord> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_FILE_BYTES;
  const file = await asyncBufferFromFile(path);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new Error(`not a readable Parquet file (${errorMessage(error)})`, { cause: error });
  }
  let index = 0;
  for (const group of metadata.row_groups) {
    const rowStart = index;
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors, rowFormat: 'object' });
    } catch (error) {
      // One unreadable row group (an unknown encoding, a damaged page) is said once, not once a row.
      yield { ok: false, index, error: `rows ${rowStart}–${rowEnd - 1} (one row group) could not be read: ${errorMessage(error)}`, raw: '' };
      index = rowEnd;
      continue;
    }
    for (const row of rows) yield recordOfValue(index++, plainJson(row), maxBytes);
    index = rowEnd;
  }
}

/**
 * A decoded Parquet value as JSON would have it: 64-bit integers as numbers (as text past 2^53, where a
 * number would round), dates as ISO text, binary as base64, typed arrays as lists.
 */
function plainJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, plainJson);
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainJson(v)]));
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
