// The progress line on stderr, redrawn in place, for runs long enough to need one: done of total,
// verdicts so far, tokens and the time left (formatProgressLine). Only on a terminal: in a pipe or a
// CI log it would be noise. Redrawn at most every 80 ms, and every second for the time left.
import type { Writable } from 'node:stream';
import type { BatchProgress } from '../engine/batch/progress';
import { formatProgressLine } from '../engine/batch/progress';

export interface Progress {
  update(progress: BatchProgress): void;
  /** Erases the line so that other output can be written; the next update draws it again. */
  clear(): void;
  finish(): void;
}

export const noProgress: Progress = { update() {}, clear() {}, finish() {} };

const REDRAW_EVERY_MS = 80;

export function terminalProgress(stream: Writable & { columns?: number }): Progress {
  let shown = false;
  let lastDraw = 0;
  let latest: BatchProgress | undefined;
  const draw = () => {
    if (!latest) return;
    const columns = stream.columns ?? 80;
    stream.write(`\r${formatProgressLine(latest).slice(0, columns - 1)}\x1b[K`);
    shown = true;
    lastDraw = Date.now();
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    update(progress) {
      latest = progress;
      if (Date.now() - lastDraw < REDRAW_EVERY_MS && progress.done !== progress.total) return;
      draw();
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
    finish() {
      clearInterval(timer);
      this.clear();
    },
  };
}
