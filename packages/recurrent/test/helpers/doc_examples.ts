// Finds the `@example` blocks of doc comments and turns each into a runnable module.
// A block is the text after `@example` up to the next `@tag` or the end of its comment, each
// line's ` * ` removed; where it holds ```ts fences, only the fenced code counts.

/** One `@example` block: its code lines, and for each the line of the source file it came from. */
export interface DocExample {
  readonly file: string;
  readonly lines: readonly string[];
  readonly sourceLines: readonly number[];
}

const COMMENT = /\/\*\*[\s\S]*?\*\//g;
const FENCE = /^\s*```/;

/** The comment's lines with `/**`, ` * ` and `*\/` removed, numbered from 1 in `text`. */
function commentLines(comment: string, firstLine: number): { text: string; line: number }[] {
  return comment.split('\n').map((raw, i) => ({
    text: raw
      .replace(/^\s*\/\*\*\s?/, '')
      .replace(/\s*\*\/\s*$/, '')
      .replace(/^\s*\* ?/, ''),
    line: firstLine + i,
  }));
}

/** Every `@example` block of a source file's doc comments, in order. */
export function extractExamples(file: string, source: string): DocExample[] {
  const examples: DocExample[] = [];
  for (const match of source.matchAll(COMMENT)) {
    const firstLine = source.slice(0, match.index).split('\n').length;
    const lines = commentLines(match[0], firstLine);
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*@example\b/.test(lines[i]!.text)) continue;
      let end = i + 1;
      while (end < lines.length && !/^\s*@\w/.test(lines[end]!.text)) end++;
      let block = lines.slice(i + 1, end);
      if (block.some((l) => FENCE.test(l.text))) block = fenced(block);
      while (block.length > 0 && block[0]!.text.trim() === '') block = block.slice(1);
      while (block.length > 0 && block.at(-1)!.text.trim() === '') block = block.slice(0, -1);
      examples.push({ file, lines: block.map((l) => l.text), sourceLines: block.map((l) => l.line) });
      i = end - 1;
    }
  }
  return examples;
}

/** The lines inside ``` fences, fences dropped. */
function fenced<T extends { text: string }>(block: readonly T[]): T[] {
  const kept: T[] = [];
  let inside = false;
  for (const line of block) {
    if (FENCE.test(line.text)) inside = !inside;
    else if (inside) kept.push(line);
  }
  return kept;
}

/** The example's first line of code after its imports: what a reader recognises it by. */
export function exampleTitle(example: DocExample): string {
  const first = example.lines.find((l) => l.trim() !== '' && !/^\s*import\b/.test(l) && !/^\s*\/\//.test(l)) ?? example.lines[0] ?? '(empty)';
  return first.trim();
}

// `expression; // [4, 10, 16] …` or `expression; // → 2.5 …`: a statement whose comment starts
// with a literal states its value. Declarations, assignments and unbalanced lines are left alone.
const STATED = /^(\s*)(.*\S)\s*;\s*\/\/\s*(?:→\s*)?(.*)$/;
const NOT_AN_EXPRESSION = /^(const|let|var|for|if|while|do|return|import|export|type|interface|class|function|await)\b|[^=!<>]=[^=>]/;

/** The literal (a number, or nested arrays of numbers) a comment starts with, or undefined. */
export function statedValue(comment: string): unknown {
  const number = /^-?\d+(\.\d+)?(e-?\d+)?\b/.exec(comment);
  if (number) return Number(number[0]);
  if (!comment.startsWith('[')) return undefined;
  let depth = 0;
  for (let i = 0; i < comment.length; i++) {
    if (comment[i] === '[') depth++;
    else if (comment[i] === ']' && --depth === 0) {
      try {
        const value: unknown = JSON.parse(comment.slice(0, i + 1));
        return isNumbers(value) ? value : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function isNumbers(value: unknown): boolean {
  return typeof value === 'number' || (Array.isArray(value) && value.every(isNumbers));
}

function balanced(code: string): boolean {
  let depth = 0;
  for (const ch of code.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '')) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * The example as a module: lines that state their value become checks against it, and the check's
 * import is added at the end (imports are hoisted), so line n of the module is line n of the example.
 */
export function exampleModule(example: DocExample, expectModule: string): { source: string; checks: number } {
  let checks = 0;
  const lines = example.lines.map((line) => {
    const m = STATED.exec(line);
    if (!m || NOT_AN_EXPRESSION.test(m[2]!) || !balanced(m[2]!)) return line;
    const expected = statedValue(m[3]!);
    if (expected === undefined) return line;
    checks++;
    return `${m[1]}expectDocValue(${m[2]}, ${JSON.stringify(expected)});`;
  });
  if (checks > 0) lines.push(`import { expectDocValue } from ${JSON.stringify(expectModule)};`);
  return { source: `${lines.join('\n')}\n`, checks };
}
