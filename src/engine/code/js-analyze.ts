// JavaScript and TypeScript solutions parsed with the TypeScript compiler API: the same statement
// pieces, `// Step` markers, in-file tests, problem and first syntax error as python-analyze gives.
// The parser is error-tolerant, so a file with a syntax error still has its statements.
import ts from 'typescript';
import type { FoundTest, SourceAnalysis, SourcePiece, StepMarker } from './python-analyze';
import { SourceText } from './source-text';

type Pos = [number, number];

function scriptKindOf(language: 'javascript' | 'typescript'): ts.ScriptKind {
  return language === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
}

/** A function-like expression with a block body inside a statement (not inside a nested one). */
function bodiesIn(node: ts.Node): ts.Block[] {
  const found: ts.Block[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.body && ts.isBlock(n.body)) {
      found.push(n.body);
      return;
    }
    if (ts.isClassExpression(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

function isModuleLevelAssert(statement: ts.Statement): boolean {
  if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) return false;
  const callee = statement.expression.expression;
  const name = ts.isPropertyAccessExpression(callee) ? `${callee.expression.getText()}.${callee.name.text}` : ts.isIdentifier(callee) ? callee.text : '';
  return name === 'console.assert' || name === 'assert' || /^assert\.\w+$/.test(name);
}

function isMainGuard(statement: ts.Statement): statement is ts.IfStatement {
  if (!ts.isIfStatement(statement)) return false;
  const test = statement.expression.getText().replace(/\s+/g, '');
  return test === 'require.main===module' || test === 'module===require.main';
}

function commentText(raw: string): string {
  if (raw.startsWith('//')) return raw.slice(2).trim();
  return raw
    .replace(/^\/\*+/, '')
    .replace(/\*+\/$/, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/^\s*\*\s?/, '').trimEnd())
    .join('\n')
    .trim();
}

export function analyzeJavaScript(text: string, language: 'javascript' | 'typescript'): SourceAnalysis {
  const source = new SourceText(text);
  const fileName = language === 'typescript' ? 'solution.ts' : 'solution.js';
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(language));
  const at = (offset: number): Pos => {
    const p = source.positionAt(offset);
    return [p.line, p.character];
  };
  const pieces: SourcePiece[] = [];
  const tests: FoundTest[] = [];

  const addSimple = (node: ts.Node, depth: number) => {
    pieces.push({ start: at(node.getStart(file)), end: at(node.getEnd()), depth, kind: 'simple' });
  };
  /** A header from `from` up to where `body` begins (its leading whitespace excluded). */
  const addHeader = (from: number, bodyPos: number, depth: number) => {
    let end = bodyPos;
    while (end > from && /\s/.test(text[end - 1]!)) end--;
    pieces.push({ start: at(from), end: at(end), depth, kind: 'header' });
  };
  const keyword = (node: ts.Node, kind: ts.SyntaxKind) => node.getChildren(file).find((c) => c.kind === kind);

  const walkBlockish = (node: ts.Statement, depth: number) => {
    if (ts.isBlock(node)) walk(node.statements, depth);
    else walk([node], depth);
  };

  const walkIf = (node: ts.IfStatement, depth: number, from: number) => {
    addHeader(from, node.thenStatement.pos, depth);
    walkBlockish(node.thenStatement, depth + 1);
    const otherwise = node.elseStatement;
    if (!otherwise) return;
    const elseKeyword = keyword(node, ts.SyntaxKind.ElseKeyword);
    const elseStart = elseKeyword ? elseKeyword.getStart(file) : otherwise.getStart(file);
    if (ts.isIfStatement(otherwise)) {
      walkIf(otherwise, depth, elseStart);
    } else {
      addHeader(elseStart, otherwise.pos, depth);
      walkBlockish(otherwise, depth + 1);
    }
  };

  const walkFunctionLike = (node: ts.Node, body: ts.Block, depth: number) => {
    addHeader(node.getStart(file), body.pos, depth);
    walk(body.statements, depth + 1);
  };

  const walkClass = (node: ts.ClassLikeDeclaration, depth: number) => {
    const open = keyword(node, ts.SyntaxKind.OpenBraceToken);
    addHeader(node.getStart(file), open ? open.getStart(file) : node.members.pos, depth);
    for (const member of node.members) {
      if ((ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member) || ts.isGetAccessor(member) || ts.isSetAccessor(member)) && member.body) {
        walkFunctionLike(member, member.body, depth + 1);
      } else if (ts.isClassStaticBlockDeclaration(member)) {
        walkFunctionLike(member, member.body, depth + 1);
      } else if (!ts.isSemicolonClassElement(member)) {
        walkStatementWithBodies(member, depth + 1);
      }
    }
  };

  /** A statement that may hold function bodies (`const f = (x) => { … }`): head, then the bodies. */
  const walkStatementWithBodies = (node: ts.Node, depth: number) => {
    const bodies = bodiesIn(node);
    if (bodies.length === 0) {
      addSimple(node, depth);
      return;
    }
    addHeader(node.getStart(file), bodies[0]!.pos, depth);
    for (const body of bodies) walk(body.statements, depth + 1);
  };

  const walk = (statements: readonly ts.Statement[], depth: number) => {
    for (const node of statements) {
      if (ts.isEmptyStatement(node)) continue;
      if (ts.isIfStatement(node)) walkIf(node, depth, node.getStart(file));
      else if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node) || ts.isWhileStatement(node)) {
        addHeader(node.getStart(file), node.statement.pos, depth);
        walkBlockish(node.statement, depth + 1);
      } else if (ts.isDoStatement(node)) {
        addHeader(node.getStart(file), node.statement.pos, depth);
        walkBlockish(node.statement, depth + 1);
        const whileKeyword = keyword(node, ts.SyntaxKind.WhileKeyword);
        if (whileKeyword) pieces.push({ start: at(whileKeyword.getStart(file)), end: at(node.getEnd()), depth, kind: 'header' });
      } else if (ts.isSwitchStatement(node)) {
        addHeader(node.getStart(file), node.caseBlock.pos, depth);
        for (const clause of node.caseBlock.clauses) {
          addHeader(clause.getStart(file), clause.statements.pos, depth + 1);
          walk(clause.statements, depth + 2);
        }
      } else if (ts.isTryStatement(node)) {
        addHeader(node.getStart(file), node.tryBlock.pos, depth);
        walk(node.tryBlock.statements, depth + 1);
        if (node.catchClause) {
          addHeader(node.catchClause.getStart(file), node.catchClause.block.pos, depth);
          walk(node.catchClause.block.statements, depth + 1);
        }
        if (node.finallyBlock) {
          const finallyKeyword = keyword(node, ts.SyntaxKind.FinallyKeyword);
          if (finallyKeyword) addHeader(finallyKeyword.getStart(file), node.finallyBlock.pos, depth);
          walk(node.finallyBlock.statements, depth + 1);
        }
      } else if (ts.isBlock(node)) walk(node.statements, depth);
      else if (ts.isLabeledStatement(node)) walk([node.statement], depth);
      else if (ts.isFunctionDeclaration(node) && node.body) walkFunctionLike(node, node.body, depth);
      else if (ts.isClassDeclaration(node)) walkClass(node, depth);
      else if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
        addHeader(node.getStart(file), node.body.pos, depth);
        walk(node.body.statements, depth + 1);
      } else walkStatementWithBodies(node, depth);
    }
  };

  const solution: ts.Statement[] = [];
  for (const statement of file.statements) {
    if (isModuleLevelAssert(statement)) {
      const code = statement.getText(file);
      const line = source.positionAt(statement.getStart(file)).line + 1;
      tests.push({ origin: 'assert', name: `line ${line}: ${code.slice(0, 80)}`, code, start: at(statement.getStart(file)), end: at(statement.getEnd()) });
    } else if (isMainGuard(statement)) {
      const body = statement.thenStatement;
      const code = ts.isBlock(body) ? body.statements.map((s) => s.getText(file)).join('\n') : body.getText(file);
      const line = source.positionAt(statement.getStart(file)).line + 1;
      tests.push({ origin: 'main', name: `require.main === module (line ${line})`, code, start: at(statement.getStart(file)), end: at(statement.getEnd()) });
    } else {
      solution.push(statement);
    }
  }
  walk(solution, 0);

  // Comments: every node's leading comments, and those before the end of the file.
  const comments = new Map<number, ts.CommentRange>();
  const collect = (node: ts.Node) => {
    for (const c of ts.getLeadingCommentRanges(text, node.pos) ?? []) comments.set(c.pos, c);
    ts.forEachChild(node, collect);
  };
  collect(file);
  for (const c of ts.getLeadingCommentRanges(text, file.endOfFileToken.pos) ?? []) comments.set(c.pos, c);
  const ordered = [...comments.values()].sort((a, b) => a.pos - b.pos);

  const markers: StepMarker[] = [];
  for (const c of ordered) {
    const body = commentText(text.slice(c.pos, c.end));
    if (c.kind === ts.SyntaxKind.SingleLineCommentTrivia && /^step\b/i.test(body)) {
      const [line, col] = at(c.pos);
      markers.push({ label: body, line, col });
    }
  }

  // The problem: the comments before the first statement (a shebang aside), else the first
  // function's doc comment.
  const firstCode = file.statements[0]?.getStart(file) ?? text.length;
  const leading = ordered.filter((c) => c.end <= firstCode && !/^step\b/i.test(commentText(text.slice(c.pos, c.end))));
  const pickComments = (list: ts.CommentRange[]) => {
    if (list.length === 0) return null;
    const body = list
      .map((c) => commentText(text.slice(c.pos, c.end)))
      .join('\n')
      .trim();
    return body ? { text: body, start: at(list[0]!.pos), end: at(list[list.length - 1]!.end) } : null;
  };
  let problem: SourceAnalysis['problem'] = pickComments(leading);
  if (!problem) {
    const fn = solution.find((s) => ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isVariableStatement(s));
    if (fn) problem = pickComments((ts.getLeadingCommentRanges(text, fn.pos) ?? []).filter((c) => text.startsWith('/**', c.pos)));
  }

  // Syntax errors: the parser's own diagnostics (transpileModule reports exactly the syntactic ones).
  let syntaxError: SourceAnalysis['syntaxError'] = null;
  const transpiled = ts.transpileModule(text, { fileName, reportDiagnostics: true, compilerOptions: { allowJs: true } });
  const first = (transpiled.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error && d.start !== undefined);
  if (first && first.start !== undefined) {
    const start = at(first.start);
    let end = at(first.start + (first.length ?? 0));
    if (end[0] === start[0] && end[1] === start[1]) end = [start[0], source.line(start[0]).length];
    syntaxError = {
      message: `SyntaxError: ${ts.flattenDiagnosticMessageText(first.messageText, '\n')} (TS${first.code})`,
      line: start[0] + 1,
      start,
      end,
    };
  }

  pieces.sort((a, b) => a.start[0] - b.start[0] || a.start[1] - b.start[1]);
  return { pieces, markers, tests, problem, syntaxError };
}
