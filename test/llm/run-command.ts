// Runs one CLI command in-process with captured stdout/stderr, for the probe/eval/cache tests (the
// command table in src/cli/main.ts is tested as a process elsewhere).
import { Writable } from 'node:stream';
import type { Command } from '../../src/cli/command';
import { UsageError } from '../../src/cli/command';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(command: Command, argv: string[], env: NodeJS.ProcessEnv = {}, signal = new AbortController().signal): Promise<CommandRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  let code: number;
  try {
    code = await command.run({ argv, cwd: process.cwd(), env, stdout, stderr, signal });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.text += `stepcritic ${command.name}: ${error.message}\n${error.hint ?? ''}\n`;
    code = 2;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}
