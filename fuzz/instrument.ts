// Coverage instrumentation for the fuzzer: an esbuild plugin that rewrites every TypeScript file
// under server/src with a TypeScript transformer, inserting one counter increment (`__fz[ID]++`)
// at the start of every block (function bodies, branches of if/else, loop bodies, case clauses,
// catch clauses), in each arm of `?:`, on the right of `&&`/`||`/`??` and in expression-bodied
// arrow functions. The counters are one Uint32Array declared by the bundle's banner; the fuzzer
// reads them after each input, in AFL's hit-count buckets (fuzz/engine.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'esbuild';

/** Where each counter is: file (relative to the repository) and 1-based line. */
export interface CounterSite {
  file: string;
  line: number;
}

export const MAX_COUNTERS = 1 << 16;

export function instrumentPlugin(root: string, include: string, sites: CounterSite[]): Plugin {
  const dir = path.resolve(root, include) + path.sep;
  return {
    name: 'fuzz-coverage',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(dir) || args.path.endsWith('.d.ts')) return undefined;
        const text = fs.readFileSync(args.path, 'utf8');
        return {
          contents: instrument(text, path.relative(root, args.path), sites),
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

/** The file's JavaScript with counters; their sites are appended to `sites`. */
function instrument(text: string, file: string, sites: CounterSite[]): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const f = ts.factory;
  const counter = (node: ts.Node): ts.Expression => {
    const id = sites.length;
    if (id >= MAX_COUNTERS) throw new Error(`more than ${MAX_COUNTERS} coverage counters`);
    const pos = node.getStart(source, false);
    sites.push({ file, line: source.getLineAndCharacterOfPosition(pos).line + 1 });
    return f.createPostfixIncrement(
      f.createElementAccessExpression(f.createIdentifier('__fz'), f.createNumericLiteral(id)),
    );
  };
  const stmt = (node: ts.Node): ts.Statement => f.createExpressionStatement(counter(node));
  const tagged = (node: ts.Expression, visited: ts.Expression): ts.Expression =>
    f.createParenthesizedExpression(f.createCommaListExpression([counter(node), visited]));

  const transformer: ts.TransformerFactory<ts.SourceFile> = (ctx) => {
    const asBlock = (s: ts.Statement): ts.Block => {
      const v = ts.visitNode(s, visit) as ts.Statement;
      if (ts.isBlock(v)) return f.updateBlock(v, [stmt(s), ...v.statements]);
      return f.createBlock([stmt(s), v], true);
    };
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isIfStatement(node)) {
        return f.updateIfStatement(
          node,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.thenStatement),
          node.elseStatement
            ? ts.isIfStatement(node.elseStatement)
              ? (ts.visitNode(node.elseStatement, visit) as ts.Statement)
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
      if (ts.isForOfStatement(node)) {
        return f.updateForOfStatement(
          node,
          node.awaitModifier,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.statement),
        );
      }
      if (ts.isForInStatement(node)) {
        return f.updateForInStatement(
          node,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.statement),
        );
      }
      if (ts.isWhileStatement(node))
        return f.updateWhileStatement(
          node,
          ts.visitNode(node.expression, visit) as ts.Expression,
          asBlock(node.statement),
        );
      if (ts.isDoStatement(node))
        return f.updateDoStatement(
          node,
          asBlock(node.statement),
          ts.visitNode(node.expression, visit) as ts.Expression,
        );
      if (ts.isCaseClause(node)) {
        return f.updateCaseClause(node, ts.visitNode(node.expression, visit) as ts.Expression, [
          stmt(node),
          ...ts.visitNodes(node.statements, visit, ts.isStatement),
        ]);
      }
      if (ts.isDefaultClause(node))
        return f.updateDefaultClause(node, [
          stmt(node),
          ...ts.visitNodes(node.statements, visit, ts.isStatement),
        ]);
      if (ts.isCatchClause(node)) {
        const b = ts.visitNode(node.block, visitChildren) as ts.Block;
        return f.updateCatchClause(
          node,
          node.variableDeclaration,
          f.updateBlock(b, [stmt(node), ...b.statements]),
        );
      }
      if (
        (ts.isFunctionDeclaration(node) ||
          ts.isMethodDeclaration(node) ||
          ts.isFunctionExpression(node) ||
          ts.isConstructorDeclaration(node) ||
          ts.isGetAccessor(node) ||
          ts.isSetAccessor(node)) &&
        node.body
      ) {
        const v = ts.visitEachChild(node, visit, ctx) as typeof node;
        const body = v.body as ts.Block;
        // a constructor's super() call must stay first: count after it
        const first = body.statements[0];
        const isSuper =
          first &&
          ts.isExpressionStatement(first) &&
          ts.isCallExpression(first.expression) &&
          first.expression.expression.kind === ts.SyntaxKind.SuperKeyword;
        const statements = isSuper
          ? [first, stmt(node), ...body.statements.slice(1)]
          : [stmt(node), ...body.statements];
        return replaceBody(v, f.updateBlock(body, statements));
      }
      if (ts.isArrowFunction(node)) {
        const v = ts.visitEachChild(node, visit, ctx) as ts.ArrowFunction;
        const body = ts.isBlock(v.body)
          ? f.updateBlock(v.body, [stmt(node), ...v.body.statements])
          : tagged(node.body as ts.Expression, v.body);
        return f.updateArrowFunction(
          v,
          v.modifiers,
          v.typeParameters,
          v.parameters,
          v.type,
          v.equalsGreaterThanToken,
          body,
        );
      }
      if (ts.isConditionalExpression(node)) {
        return f.updateConditionalExpression(
          node,
          ts.visitNode(node.condition, visit) as ts.Expression,
          node.questionToken,
          tagged(node.whenTrue, ts.visitNode(node.whenTrue, visit) as ts.Expression),
          node.colonToken,
          tagged(node.whenFalse, ts.visitNode(node.whenFalse, visit) as ts.Expression),
        );
      }
      if (ts.isBinaryExpression(node)) {
        const k = node.operatorToken.kind;
        if (
          k === ts.SyntaxKind.AmpersandAmpersandToken ||
          k === ts.SyntaxKind.BarBarToken ||
          k === ts.SyntaxKind.QuestionQuestionToken
        ) {
          return f.updateBinaryExpression(
            node,
            ts.visitNode(node.left, visit) as ts.Expression,
            node.operatorToken,
            tagged(node.right, ts.visitNode(node.right, visit) as ts.Expression),
          );
        }
      }
      return ts.visitEachChild(node, visit, ctx);
    };
    const visitChildren = (node: ts.Node): ts.Node => ts.visitEachChild(node, visit, ctx);
    const replaceBody = (n: ts.FunctionLikeDeclaration, body: ts.Block): ts.Node => {
      if (ts.isFunctionDeclaration(n))
        return f.updateFunctionDeclaration(
          n,
          n.modifiers,
          n.asteriskToken,
          n.name,
          n.typeParameters,
          n.parameters,
          n.type,
          body,
        );
      if (ts.isMethodDeclaration(n))
        return f.updateMethodDeclaration(
          n,
          n.modifiers,
          n.asteriskToken,
          n.name,
          n.questionToken,
          n.typeParameters,
          n.parameters,
          n.type,
          body,
        );
      if (ts.isFunctionExpression(n))
        return f.updateFunctionExpression(
          n,
          n.modifiers,
          n.asteriskToken,
          n.name,
          n.typeParameters,
          n.parameters,
          n.type,
          body,
        );
      if (ts.isConstructorDeclaration(n))
        return f.updateConstructorDeclaration(n, n.modifiers, n.parameters, body);
      if (ts.isGetAccessor(n))
        return f.updateGetAccessorDeclaration(n, n.modifiers, n.name, n.parameters, n.type, body);
      if (ts.isSetAccessor(n))
        return f.updateSetAccessorDeclaration(n, n.modifiers, n.name, n.parameters, body);
      return n;
    };
    return (sf) => ts.visitEachChild(sf, visit, ctx);
  };
  const out = ts.transpileModule(text, {
    fileName: file,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: false,
      esModuleInterop: true,
      useDefineForClassFields: true,
    },
    transformers: { before: [transformer] },
  });
  return out.outputText;
}
