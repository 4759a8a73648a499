/**
 * The text a reader sees in a raw e-mail: the Subject (RFC 2047 encoded words decoded) and the body,
 * MIME decoded — multipart walked (alternative: the plain part when there is one), base64 and
 * quoted-printable undone, the charset honoured, HTML reduced to its text, attachments dropped.
 * Every other header is left out: Received lines, spam-filter headers and the like give the
 * answer away.
 */

type Headers = Map<string, string>;

/** Headers (lower-cased names, folded lines joined) and the body of a message or a MIME part. */
function splitMessage(raw: string): { headers: Headers; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers: Headers = new Map();
  let last: string | null = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last !== null) {
      headers.set(last, `${headers.get(last)!} ${line.trim()}`);
      continue;
    }
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    last = m[1]!.toLowerCase();
    if (!headers.has(last)) headers.set(last, m[2]!);
    else last = null; // a repeated header: keep the first
  }
  return { headers, body };
}

/** A parameter of a header value (`charset`, `boundary`), unquoted. */
function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** Bytes as text in `charset` (windows-1252 when the label is unknown). */
function decodeBytes(bytes: Uint8Array, charset: string | null): string {
  try {
    return new TextDecoder(charset ?? 'windows-1252').decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** The string as the bytes it stood for (each code unit below 256 one byte; the dataset's text is byte-per-character or UTF-8). */
function toBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function quotedPrintable(text: string): Uint8Array {
  const soft = text.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}

/** RFC 2047 encoded words: =?charset?B|Q?…?= */
export function decodeEncodedWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g, (_, charset: string, kind: string, data: string) => {
    const bytes = kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : quotedPrintable(data.replace(/_/g, ' '));
    return decodeBytes(bytes, charset);
  });
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  hellip: '…',
  mdash: '—',
  ndash: '–',
};

/** The text of an HTML document: scripts, styles and comments dropped, block ends as line breaks, tags removed, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|p|div|tr|li|h[1-6]|table)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? whole;
    });
}

/** The readable text of one MIME part (recursing into multiparts and attached messages). */
function partText(headers: Headers, body: string, depth: number): string {
  if (depth > 10) return '';
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const disposition = (headers.get('content-disposition') ?? '').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(contentType, 'boundary');
    if (boundary === null) return body;
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitMessage(p.replace(/^[ \t]*\n/, '')));
    if (type === 'multipart/alternative') {
      const plain = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'));
      const chosen = plain ?? parts[parts.length - 1];
      return chosen ? partText(chosen.headers, chosen.body, depth + 1) : '';
    }
    return parts.map((p) => partText(p.headers, p.body, depth + 1)).join('\n');
  }
  if (type === 'message/rfc822') {
    const inner = splitMessage(body);
    return `${decodeEncodedWords(inner.headers.get('subject') ?? '')}\n${partText(inner.headers, inner.body, depth + 1)}`;
  }
  if (!type.startsWith('text/') || disposition.startsWith('attachment')) return '';
  const encoding = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  const charset = param(contentType, 'charset');
  let text: string;
  if (encoding === 'base64') text = decodeBytes(Buffer.from(body.replace(/\s+/g, ''), 'base64'), charset);
  else if (encoding === 'quoted-printable') text = decodeBytes(quotedPrintable(body), charset);
  else text = [...body].some((c) => c.charCodeAt(0) > 0xff) ? body : decodeBytes(toBytes(body), charset ?? 'utf-8');
  return type === 'text/html' ? htmlToText(text) : text;
}

/** Subject and body of a raw message as one line of text (white space collapsed). */
export function emailText(raw: string): string {
  const { headers, body } = splitMessage(raw);
  const subject = decodeEncodedWords(headers.get('subject') ?? '');
  const text = `${subject}\n${partText(headers, body, 0)}`;
  return text.replace(/\s+/g, ' ').trim();
}
