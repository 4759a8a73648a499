/**
 * JSON text from outside files, checked before it is parsed: a syntax error is reported by line and
 * column without echoing the text (JSON.parse's own messages quote the bytes around the error,
 * which may be any file a path points at), nesting is bounded, and duplicate keys, which
 * JSON.parse silently resolves to the last, can be refused.
 */
import { FormatError } from '../errors.js';

export interface JsonScanOptions {
  /** Deepest nesting of objects and arrays accepted. */
  maxDepth: number;
  /** Refuse an object that names a key twice (at any depth). Default false. */
  rejectDuplicateKeys?: boolean;
  /** Most keys the top-level object may hold. Default unbounded. */
  maxTopLevelKeys?: number;
}

/** Where and why a JSON text is malformed. `key` is set for a duplicate key. */
export class JsonTextError extends FormatError {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly key: string | null = null,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
  }
}

/** Parses `text`, first checking it with `scanJson` (which throws JsonTextError). */
export function parseJsonText(text: string, options: JsonScanOptions): unknown {
  scanJson(text, options);
  return JSON.parse(text) as unknown;
}

interface Frame {
  object: boolean;
  keys: Set<string> | null;
  count: number;
}

/** Validates JSON syntax (RFC 8259) iteratively, so that deep nesting cannot overflow the stack. */
export function scanJson(text: string, options: JsonScanOptions): void {
  const n = text.length;
  const stack: Frame[] = [];
  let i = 0;
  const error = (reason: string, at = i, key: string | null = null): JsonTextError => {
    let line = 1;
    let lineStart = 0;
    for (let k = text.indexOf('\n'); k >= 0 && k < at; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    return new JsonTextError(reason, line, at - lineStart + 1, key);
  };
  const ws = (): void => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
    }
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= n) throw error('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw error('control character in a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw error('bad \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw error('bad escape in a string');
      } else i++;
    }
  };
  const number = (): void => {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = i;
    if (!match.test(text)) throw error('expected a value');
    i = match.lastIndex;
  };
  const key = (frame: Frame): void => {
    ws();
    if (text[i] !== '"') throw error('expected a property name in double quotes');
    const start = i;
    string();
    if (frame.keys !== null) {
      const name = JSON.parse(text.slice(start, i)) as string;
      if (frame.keys.has(name)) throw error('duplicate key', start, name);
      frame.keys.add(name);
    }
    frame.count++;
    if (stack.length === 1 && options.maxTopLevelKeys !== undefined && frame.count > options.maxTopLevelKeys) {
      throw error(`more than ${options.maxTopLevelKeys} keys in the top-level object`, start);
    }
    ws();
    if (text[i] !== ':') throw error("expected ':' after a property name");
    i++;
  };
  const open = (object: boolean): void => {
    if (stack.length >= options.maxDepth) throw error(`nested deeper than ${options.maxDepth} levels`);
    stack.push({ object, keys: object && options.rejectDuplicateKeys === true ? new Set() : null, count: 0 });
    i++;
  };

  let wantValue = true;
  for (;;) {
    ws();
    if (wantValue) {
      const c = text[i];
      if (c === undefined) throw error('unexpected end of the text; expected a value');
      if (c === '{') {
        open(true);
        ws();
        if (text[i] === '}') {
          i++;
          stack.pop();
          wantValue = false;
        } else key(stack[stack.length - 1]!);
        continue;
      }
      if (c === '[') {
        open(false);
        ws();
        if (text[i] === ']') {
          i++;
          stack.pop();
          wantValue = false;
        }
        continue;
      }
      if (c === '"') string();
      else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else number();
      wantValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i < n) throw error('unexpected text after the JSON value');
      return;
    }
    const c = text[i];
    if (c === ',') {
      i++;
      if (top.object) key(top);
      wantValue = true;
    } else if (c === (top.object ? '}' : ']')) {
      i++;
      stack.pop();
    } else if (c === undefined) throw error(`unexpected end of the text; expected ',' or '${top.object ? '}' : ']'}'`);
    else throw error(`expected ',' or '${top.object ? '}' : ']'}'`);
  }
}
