// Finding the interpreters a code solution needs. A missing interpreter is said once, clearly, and the
// checks go on without it: each lookup is cached for the life of the process.
import { spawn } from 'node:child_process';

export type CodeLanguage = 'python' | 'javascript' | 'typescript';

export interface Interpreter {
  /** Absolute path of the executable that really runs (not a shim). */
  path: string;
  version: string;
}

const found = new Map<string, Promise<Interpreter | undefined>>();
const announced = new Set<string>();

/** The Python to use: `STEPCRITIC_PYTHON` when set, else `python3` on the PATH. */
export function pythonCommand(): string {
  return process.env.STEPCRITIC_PYTHON || 'python3';
}

function probe(command: string, args: string[]): Promise<Interpreter | undefined> {
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    } catch {
      resolve(undefined);
      return;
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      const [path, version] = out.trim().split('\n');
      resolve(code === 0 && path && version ? { path, version } : undefined);
    });
  });
}

export function findPython(): Promise<Interpreter | undefined> {
  const command = pythonCommand();
  let lookup = found.get(`python:${command}`);
  if (!lookup) {
    // sys.executable resolves pyenv-style shims, so the sandbox runs the real binary directly.
    lookup = probe(command, ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])']).then((interpreter) =>
      interpreter && /^3\.(\d+)/.test(interpreter.version) && Number(/^3\.(\d+)/.exec(interpreter.version)![1]) >= 8 ? interpreter : undefined,
    );
    found.set(`python:${command}`, lookup);
  }
  return lookup;
}

/** Node runs JavaScript and TypeScript solutions: the one running us is the one we trust to exist. */
export function findNode(): Promise<Interpreter | undefined> {
  let lookup = found.get('node');
  if (!lookup) {
    lookup = Promise.resolve({ path: process.execPath, version: process.versions.node });
    found.set('node', lookup);
  }
  return lookup;
}

export function missingInterpreterMessage(language: CodeLanguage): string {
  return language === 'python'
    ? `Python 3.8+ was not found (tried \`${pythonCommand()}\`; set STEPCRITIC_PYTHON to use another): Python files are segmented line by line without syntax check and their tests are not run.`
    : 'Node.js was not found: JavaScript/TypeScript tests are not run.';
}

/**
 * Returns the message the first time it is asked for a given language, undefined afterwards, so a
 * batch of a thousand files says "python3 is missing" once, not a thousand times.
 */
export function announceMissing(language: CodeLanguage): string | undefined {
  if (announced.has(language)) return undefined;
  announced.add(language);
  return missingInterpreterMessage(language);
}

/** For tests: forget what was found and said. */
export function resetInterpreterCache(): void {
  found.clear();
  announced.clear();
}
