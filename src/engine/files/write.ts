// Writing a file so that a reader never sees half of it and an interrupted write leaves the previous
// one in place: into a temporary file beside the target, renamed over it at the end.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** A report being written to `target`: into a temporary file beside it, renamed over it on commit. */
interface AtomicOutput {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

async function openAtomicOutput(target: string): Promise<AtomicOutput> {
  const absolute = resolve(target);
  await mkdir(dirname(absolute), { recursive: true });
  const temporary = join(dirname(absolute), `.${basename(absolute)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async write(text) {
      await handle.write(text, null, 'utf8');
    },
    async commit() {
      await close();
      await rename(temporary, absolute);
    },
    async discard() {
      await close().catch(() => {});
      await unlink(temporary).catch(() => {});
    },
  };
}

/** Writes `target` through `write`, atomically: a failure (or an exception in `write`) leaves the old file. */
export async function writeAtomically(target: string, write: (sink: { write(text: string): Promise<void> }) => Promise<void>): Promise<void> {
  const output = await openAtomicOutput(target);
  try {
    await write(output);
    await output.commit();
  } catch (error) {
    await output.discard();
    throw error;
  }
}

export async function writeFileAtomic(target: string, content: string): Promise<void> {
  await writeAtomically(target, (sink) => sink.write(content));
}
