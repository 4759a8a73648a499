/**
 * A small static file server for browser pages: the playground, the browser tests and the browser
 * benchmark. It listens on 127.0.0.1 only and, when `isolated`, sends the headers that make a page
 * cross-origin isolated (COOP and COEP, and CORP on every file), which threads need.
 *
 *     const server = await startStaticServer({ routes: { '/': 'playground/dist' }, isolated: true });
 *     server.url; // http://127.0.0.1:PORT/
 *     await server.close();
 */
import { createServer, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface StaticServerOptions {
  /** URL path prefix (starting and ending with '/') → directory served under it; the longest prefix wins. */
  routes: Record<string, string>;
  /** Send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. */
  isolated: boolean;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** More headers for every response (a Content-Security-Policy, say). */
  headers?: Record<string, string>;
}

export interface StaticServer {
  /** The server's root URL, ending with '/'. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

/** The headers that make a page cross-origin isolated, and let it load its own files. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The file a request path names under the routes, or null (outside every route, or escaping its directory). */
function fileFor(routes: Record<string, string>, path: string): string | null {
  const prefix = Object.keys(routes)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return null;
  const root = resolve(routes[prefix]!);
  const rest = decodeURIComponent(path.slice(prefix.length));
  const file = normalize(join(root, rest.endsWith('/') || rest === '' ? `${rest}index.html` : rest));
  return file === root || file.startsWith(root + sep) ? file : null;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const extra = { ...(options.isolated ? ISOLATION_HEADERS : {}), ...options.headers };
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/favicon.ico') return send(res, 204, extra, '');
      const file = fileFor(options.routes, path);
      const info = file === null ? null : await stat(file).catch(() => null);
      if (file === null || info === null || !info.isFile()) return send(res, 404, { ...extra, 'Content-Type': TYPES['.txt']! }, `not found: ${path}`);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      send(res, 200, { ...extra, 'Content-Type': type }, await readFile(file));
    })().catch((e: unknown) => send(res, 500, extra, String(e)));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', done);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server: no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // A browser keeps connections open: without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
