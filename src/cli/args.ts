// Flags: each command lists its options once (name, type, help); parsing (node:util parseArgs,
// strict), the `--help` text and the "did you mean" hint all come from that one list.
import { parseArgs } from 'node:util';
import { UsageError } from './command';

export interface OptionSpec {
  /** Long name without the dashes. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** Placeholder in the help: `--format FORMAT`. */
  valueName?: string;
  description: string;
  /** Shown in the help; the command applies defaults itself. */
  defaultText?: string;
  /** Allowed values of a string option; anything else is a usage error. */
  choices?: readonly string[];
  /** Boolean options that also take `--no-NAME`. */
  negatable?: boolean;
}

export type OptionValue = string | boolean | string[] | boolean[] | undefined;

export interface ParsedArgs {
  values: Record<string, OptionValue>;
  positionals: string[];
}

export function parseCommandArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = Object.fromEntries(
    specs.map((s) => [s.name, { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) }]),
  );
  let parsed: { values: Record<string, OptionValue>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, allowNegative: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw explainParseError(command, error, specs);
  }
  for (const spec of specs) {
    const value = parsed.values[spec.name];
    if (spec.type === 'boolean' && value === false && !spec.negatable) {
      throw new UsageError(`unknown option '--no-${spec.name}'`, helpHint(command));
    }
    if (spec.choices && value !== undefined) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'string' && !spec.choices.includes(v)) {
          throw new UsageError(`--${spec.name} must be one of ${spec.choices.join(', ')} (got '${v}')`, helpHint(command));
        }
      }
    }
  }
  return { values: { ...parsed.values }, positionals: parsed.positionals };
}

function explainParseError(command: string, error: unknown, specs: readonly OptionSpec[]): Error {
  if (!(error instanceof Error) || !('code' in error)) return error instanceof Error ? error : new Error(String(error));
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  // Node quotes `-o, --out <value>` for an option with a short form: name it by its long form.
  const flag = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.replace(/ <value>$/, '');
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = closestOption(flag, specs);
      return new UsageError(`unknown option '${flag}'`, `${guess ? `did you mean --${guess}? ` : ''}Run 'stepcritic ${command} --help' for the options.`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return new UsageError(`option '${flag}' takes no value`, helpHint(command));
      return new UsageError(`option '${flag}' needs a value`, helpHint(command));
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${flag}'`, helpHint(command));
    default:
      return new UsageError(error.message.split('\n')[0] ?? 'bad arguments', helpHint(command));
  }
}

export function helpHint(command: string): string {
  return `Run 'stepcritic ${command} --help' for usage.`;
}

function closestOption(flag: string, specs: readonly OptionSpec[]): string | undefined {
  const typed = flag.replace(/^-+/, '').split('=')[0] ?? '';
  if (typed.length < 2) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const spec of specs) {
    const distance = editDistance(typed, spec.name);
    if (!best || distance < best.distance) best = { name: spec.name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(typed.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

// ---- reading values ---------------------------------------------------------------------------

export function stringValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v.length > 0 ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function stringValues(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' ? [v] : [];
}

export function booleanValue(args: ParsedArgs, name: string): boolean | undefined {
  const v = args.values[name];
  return typeof v === 'boolean' ? v : undefined;
}

export function integerValue(command: string, args: ParsedArgs, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = stringValue(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new UsageError(`--${name} must be a whole number ${range} (got '${text}')`, helpHint(command));
  }
  return n;
}

export function numberValue(command: string, args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const text = stringValue(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number between ${min} and ${max} (got '${text}')`, helpHint(command));
  }
  return n;
}

// ---- help -------------------------------------------------------------------------------------

export interface HelpText {
  usage: string;
  description: string;
  options: readonly OptionSpec[];
  /** Extra sections (exit status, environment, examples): title → lines. */
  sections?: Record<string, readonly string[]>;
}

/** Help lines stay within a classic terminal width. */
const HELP_WIDTH = 100;

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function formatHelp(help: HelpText): string {
  const flags = help.options.map((o) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    const long = o.type === 'boolean' && o.negatable ? `--[no-]${o.name}` : `--${o.name}`;
    const value = o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : '';
    return `${short}${long}${value}`;
  });
  const helpOption = '-h, --help';
  const width = Math.max(helpOption.length, ...flags.map((f) => f.length)) + 2;
  const lines = [`Usage: ${help.usage}`, '', help.description, '', 'Options:'];
  help.options.forEach((o, i) => {
    const choices = o.choices ? ` (${o.choices.join(' | ')})` : '';
    const fallback = o.defaultText ? ` [default: ${o.defaultText}]` : '';
    const wrapped = wrapWords(`${o.description}${choices}${fallback}`, Math.max(40, HELP_WIDTH - 2 - width));
    lines.push(`  ${flags[i]!.padEnd(width)}${wrapped[0] ?? ''}`, ...wrapped.slice(1).map((l) => `  ${' '.repeat(width)}${l}`));
  });
  lines.push(`  ${helpOption.padEnd(width)}Show this help`);
  for (const [title, body] of Object.entries(help.sections ?? {})) {
    lines.push('', `${title}:`, ...body.map((l) => (l === '' ? '' : `  ${l}`)));
  }
  return `${lines.join('\n')}\n`;
}
