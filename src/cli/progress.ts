// A one-line progress bar on stderr, redrawn in place, for runs long enough to need one. Only on a
// terminal: in a pipe or a CI log it would be noise.
import type { Writable } from 'node:stream';

export interface Progress {
  update(done: number, total: number | undefined, note: string): void;
  /** Erases the bar so that other output can be written; the next update draws it again. */
  clear(): void;
  finish(): void;
}

export const noProgress: Progress = { update() {}, clear() {}, finish() {} };

const REDRAW_EVERY_MS = 80;

export function terminalProgress(stream: Writable & { columns?: number }): Progress {
  let shown = false;
  let lastDraw = 0;
  const started = Date.now();
  const draw = (done: number, total: number | undefined, note: string) => {
    const columns = stream.columns ?? 80;
    const elapsed = (Date.now() - started) / 1000;
    let line: string;
    if (total !== undefined && total > 0) {
      const share = Math.min(1, done / total);
      const width = Math.max(10, Math.min(30, columns - 60));
      const filled = Math.round(share * width);
      const left = done > 0 && done < total ? `, ~${Math.ceil((elapsed / done) * (total - done))} s left` : '';
      line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${left}  ${note}`;
    } else {
      line = `${done} checked  ${note}`;
    }
    stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
    shown = true;
  };
  return {
    update(done, total, note) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_EVERY_MS && done !== total) return;
      lastDraw = now;
      draw(done, total, note);
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
    finish() {
      this.clear();
    },
  };
}
