// The decompressor a dataset file's name asks for: gzip (node:zlib) or Zstandard (`.zst`, what large
// JSON Lines dumps are often kept in). Node 20's zlib has no Zstandard, so fzstd (pure JavaScript, MIT;
// hyparquet-compressors already brings it for Parquet pages) decodes it as a stream.
import { Decompress, ZstdErrorCode } from 'fzstd';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { compressionOf } from '../files/kinds';

export function decompressorFor(path: string): Transform | undefined {
  switch (compressionOf(path)) {
    case 'gzip':
      return createGunzip();
    case 'zstd':
      return createZstdDecompress();
    case undefined:
      return undefined;
  }
}

const ZSTD_REASONS: Partial<Record<number, string>> = {
  [ZstdErrorCode.UnexpectedEOF]: 'the zstd data ends too early',
  [ZstdErrorCode.WindowSizeTooLarge]: 'the zstd data needs a window too large to decode',
};

function zstdError(error: unknown): Error {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return new Error((typeof code === 'number' && ZSTD_REASONS[code]) || 'not valid zstd data');
}

/** A stream of Zstandard frames (one or several, as `cat a.zst b.zst` gives) in, their bytes out. */
export function createZstdDecompress(): Transform {
  const decoded: Buffer[] = [];
  // fzstd may hand out views of its window, which it reuses: each piece is copied before it is passed on.
  const decoder = new Decompress((data) => void decoded.push(Buffer.from(data)));
  const feed = (stream: Transform, chunk: Uint8Array, final: boolean): Error | undefined => {
    try {
      decoder.push(chunk, final);
    } catch (error) {
      return zstdError(error);
    }
    for (const piece of decoded.splice(0)) stream.push(piece);
    return undefined;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(feed(this, chunk, false));
    },
    flush(done) {
      done(feed(this, new Uint8Array(0), true));
    },
  });
}
