// Line coverage for JavaScript/TypeScript solutions without the inspector (Node's permission model,
// which the sandbox uses to forbid child processes, also forbids the inspector and V8 coverage
// files). A TypeScript transformer puts a call `__stepcritic_hit(line)` before every statement of the
// solution part of the program, the way Istanbul instruments code; single statements in `if`/loop
// bodies are wrapped in a block first so that nothing changes meaning. Lines are the original ones.
import ts from 'typescript';

export const HIT_FUNCTION = '__stepcritic_hit';

export interface InstrumentedProgram {
  code: string;
  diagnostics: string[];
}

/**
 * Transpiles `text` to CommonJS and instruments the statements that start on a line <= `lastLine`
 * (1-based; the solution; what follows is the test code).
 */
export function instrumentProgram(text: string, language: 'javascript' | 'typescript', lastLine: number): InstrumentedProgram {
  const transformer: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const f = context.factory;
    let file: ts.SourceFile;
    const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
    const hit = (line: number) =>
      f.createExpressionStatement(f.createCallExpression(f.createIdentifier(HIT_FUNCTION), undefined, [f.createNumericLiteral(line)]));
    const isOriginal = (node: ts.Node) => node.pos >= 0 && node.end >= 0 && !(node.flags & ts.NodeFlags.Synthesized);

    const instrumentList = (statements: readonly ts.Statement[], prologue: boolean): ts.Statement[] => {
      const out: ts.Statement[] = [];
      let inPrologue = prologue;
      for (const statement of statements) {
        const visited = ts.visitNode(statement, visit) as ts.Statement;
        if (inPrologue && ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression)) {
          out.push(visited);
          continue;
        }
        inPrologue = false;
        if (isOriginal(statement) && !ts.isInterfaceDeclaration(statement) && !ts.isTypeAliasDeclaration(statement)) {
          const line = lineOf(statement);
          if (line <= lastLine) out.push(hit(line));
        }
        out.push(visited);
      }
      return out;
    };
    const asBlock = (statement: ts.Statement): ts.Statement => {
      if (ts.isBlock(statement)) return ts.visitNode(statement, visit) as ts.Statement;
      return f.createBlock(instrumentList([statement], false), true);
    };

    const visit = (node: ts.Node): ts.Node => {
      if (ts.isBlock(node)) {
        const prologue = ts.isFunctionLike(node.parent);
        return f.updateBlock(node, instrumentList(node.statements, prologue));
      }
      if (ts.isCaseClause(node)) return f.updateCaseClause(node, ts.visitNode(node.expression, visit) as ts.Expression, instrumentList(node.statements, false));
      if (ts.isDefaultClause(node)) return f.updateDefaultClause(node, instrumentList(node.statements, false));
      if (ts.isIfStatement(node)) {
        return f.updateIfStatement(
          node,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.thenStatement),
          node.elseStatement
            ? ts.isIfStatement(node.elseStatement)
              ? f.createBlock(instrumentList([node.elseStatement], false), true)
              : asBlock(node.elseStatement)
            : undefined,
        );
      }
      if (ts.isForStatement(node)) {
        return f.updateForStatement(
          node,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer | undefined,
          ts.visitNode(node.condition, visit) as ts.Expression | undefined,
          ts.visitNode(node.incrementor, visit) as ts.Expression | undefined,
          asBlock(node.statement),
        );
      }
      if (ts.isForOfStatement(node))
        return f.updateForOfStatement(
          node,
          node.awaitModifier,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.statement),
        );
      if (ts.isForInStatement(node))
        return f.updateForInStatement(
          node,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.statement),
        );
      if (ts.isWhileStatement(node)) return f.updateWhileStatement(node, ts.visitNode(node.expression, visit) as ts.Expression, asBlock(node.statement));
      if (ts.isDoStatement(node)) return f.updateDoStatement(node, asBlock(node.statement), ts.visitNode(node.expression, visit) as ts.Expression);
      return ts.visitEachChild(node, visit, context);
    };

    return (sourceFile) => {
      file = sourceFile;
      return f.updateSourceFile(sourceFile, instrumentList(sourceFile.statements, true));
    };
  };

  const output = ts.transpileModule(text, {
    fileName: language === 'typescript' ? 'solution.ts' : 'solution.js',
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, esModuleInterop: true, sourceMap: false },
    transformers: { before: [transformer] },
  });
  return {
    code: output.outputText,
    diagnostics: (output.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  };
}
