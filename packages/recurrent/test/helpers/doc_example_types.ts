// Type-checks doc example modules as a user's strict project would, against the library's sources.
import { join } from 'node:path';
import ts from 'typescript';

/** One type error: the module's line (from 1) and the message. */
export interface ExampleTypeError {
  readonly line: number;
  readonly message: string;
}

/**
 * The type errors of each module (absent: none), under the repository's tsconfig.base.json with
 * the `source` export condition. Unused names are allowed: examples show values they do not use.
 */
export function typeErrors(modules: readonly string[], root: string): Map<string, ExampleTypeError[]> {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  const program = ts.createProgram(modules, {
    ...options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
    allowImportingTsExtensions: true,
    customConditions: ['source'],
    typeRoots: [join(root, 'node_modules', '@types')],
  });
  const errors = new Map<string, ExampleTypeError[]>();
  for (const module of modules) {
    const file = program.getSourceFile(module);
    if (file === undefined) continue;
    const found = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => ({
      line: d.start === undefined ? 1 : file.getLineAndCharacterOfPosition(d.start).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
    if (found.length > 0) errors.set(module, found);
  }
  return errors;
}
