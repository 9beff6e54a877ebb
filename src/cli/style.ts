// Colour only where a person reads it: a terminal, unless NO_COLOR says otherwise; FORCE_COLOR wins
// both ways (https://no-color.org, https://force-color.org).
import { styleText } from 'node:util';
import type { TextStyle } from '../engine/report/text';

export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export type Paint = (style: TextStyle, text: string) => string;

export const noPaint: Paint = (_style, text) => text;

export function painter(enabled: boolean): Paint {
  return enabled ? (style, text) => styleText(style, text) : noPaint;
}
