/**
 * `npm run playground`: builds the playground and serves it on 127.0.0.1 with the headers that make
 * the page cross-origin isolated (so the library may use threads in its worker).
 *
 *     npm run playground                 # http://127.0.0.1:8080/
 *     npm run playground -- --port 9000
 */
import { buildPlayground, describeWeights, PLAYGROUND_DIST } from './build.js';
import { startStaticServer } from '../tools/browser/static_server.js';

const at = process.argv.indexOf('--port');
const port = at >= 0 ? Number(process.argv[at + 1]) : 8080;
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number; got ${process.argv[at + 1]}`);
const weights = await buildPlayground();
process.stdout.write(`built playground/dist:\n${describeWeights(weights)}\n`);
const server = await startStaticServer({ routes: { '/': PLAYGROUND_DIST }, isolated: true, port });
process.stdout.write(`serving the playground at ${server.url} (Ctrl-C stops)\n`);
