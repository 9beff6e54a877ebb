// The layering of src/ (CONTRIBUTING.md, "Layering"), enforced: which folder may import which.
//   engine    pure TypeScript: imports nothing of vscode, the LSP libraries, or another src/ folder
//   protocol  the client–server contract: the engine's types and zod, nothing of vscode or LSP
//   server    engine + protocol + vscode-languageserver; never vscode, the client or the CLI
//   cli       engine (+ its own); never vscode, the LSP libraries, the server or the client
//   client    vscode, vscode-languageclient and src/protocol; never engine internals, the server or the CLI
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = join(__dirname, '..', 'src');
type Layer = 'engine' | 'protocol' | 'server' | 'cli' | 'client';

/** Packages a layer must not import (prefix match). */
const FORBIDDEN_PACKAGES: Record<Layer, string[]> = {
  engine: [
    'vscode',
    'vscode-languageserver',
    'vscode-languageclient',
    'vscode-jsonrpc',
    'vscode-languageserver-protocol',
    'vscode-languageserver-textdocument',
  ],
  protocol: ['vscode', 'vscode-languageserver', 'vscode-languageclient', 'vscode-jsonrpc'],
  server: ['vscode', 'vscode-languageclient'],
  cli: ['vscode', 'vscode-languageserver', 'vscode-languageclient', 'vscode-jsonrpc'],
  client: ['vscode-languageserver'],
};

/** The other src/ folders a layer may import. */
const ALLOWED_LAYERS: Record<Layer, Layer[]> = {
  engine: [],
  protocol: ['engine'],
  server: ['engine', 'protocol'],
  cli: ['engine'],
  client: ['protocol'],
};

/** Which engine files the protocol may reach into: its types, the one errorMessage, applying edits. */
const PROTOCOL_MAY_USE = new Set(['engine/types.ts', 'engine/error-message.ts', 'engine/refine/text.ts']);

interface Source {
  /** Relative to src/, with `/`. */
  path: string;
  text: string;
}

function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

export function layeringViolations(sources: readonly Source[]): string[] {
  const problems: string[] = [];
  for (const source of sources) {
    const layer = source.path.split('/')[0] as Layer;
    if (!(layer in ALLOWED_LAYERS)) continue;
    for (const spec of specifiers(source.text)) {
      if (spec.startsWith('.')) {
        const target = relative(SRC, resolve(SRC, dirname(source.path), spec))
          .split('\\')
          .join('/');
        if (target.startsWith('..')) continue; // package.json and the like
        const targetLayer = target.split('/')[0] as Layer;
        if (targetLayer === layer) continue;
        const allowed = ALLOWED_LAYERS[layer].includes(targetLayer);
        const narrow = layer === 'protocol' && targetLayer === 'engine' && !PROTOCOL_MAY_USE.has(target.endsWith('.ts') ? target : `${target}.ts`);
        if (!allowed || narrow)
          problems.push(
            `${source.path} imports ${spec} (src/${layer} may not import src/${targetLayer}${narrow ? ` beyond ${[...PROTOCOL_MAY_USE].join(', ')}` : ''})`,
          );
      } else if (FORBIDDEN_PACKAGES[layer].some((p) => spec === p || spec.startsWith(`${p}/`))) {
        problems.push(`${source.path} imports ${spec} (not in src/${layer})`);
      }
    }
  }
  return problems;
}

function sourcesUnder(dir: string): Source[] {
  const out: Source[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourcesUnder(path));
    else if (name.endsWith('.ts')) out.push({ path: relative(SRC, path).split('\\').join('/'), text: readFileSync(path, 'utf8') });
  }
  return out;
}

describe('layering', () => {
  it('catches what it is meant to catch', () => {
    assert.deepEqual(
      layeringViolations([
        { path: 'engine/x.ts', text: "import * as vscode from 'vscode';\nimport { a } from '../server/b';" },
        { path: 'engine/y.ts', text: "import type { Connection } from 'vscode-languageserver/node';" },
        { path: 'client/c.ts', text: "import { judgeSolution } from '../engine/judge';\nimport { x } from '../protocol';" },
        { path: 'protocol/p.ts', text: "import { runPipeline } from '../engine/pipeline/run';\nimport { z } from 'zod';" },
        { path: 'cli/d.ts', text: "const s = require('../server/server');" },
      ]),
      [
        'engine/x.ts imports vscode (not in src/engine)',
        'engine/x.ts imports ../server/b (src/engine may not import src/server)',
        'engine/y.ts imports vscode-languageserver/node (not in src/engine)',
        'client/c.ts imports ../engine/judge (src/client may not import src/engine)',
        'protocol/p.ts imports ../engine/pipeline/run (src/protocol may not import src/engine beyond engine/types.ts, engine/error-message.ts, engine/refine/text.ts)',
        'cli/d.ts imports ../server/server (src/cli may not import src/server)',
      ],
    );
  });

  it('holds for every file under src/', () => {
    const sources = sourcesUnder(SRC);
    assert.ok(sources.length > 100, `${sources.length} files read`);
    assert.deepEqual(layeringViolations(sources), []);
  });
});
