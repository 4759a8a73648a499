// Preloaded with `node --import` into a `recurrent train` process: counts the file-system calls
// that make a checkpoint save durable and atomic (fsyncSync, renameSync, rmSync, unlinkSync, and
// their promise versions) on the checkpoint directory, its .tmp and .old siblings and their parent,
// and SIGKILLs the process just before the N-th one, so that a test can interrupt a save at each
// of its steps.
//
//   KILL_FS_CHECKPOINT=<out>/checkpoint  the checkpoint directory whose calls count
//   KILL_FS_AT_CALL=N                    SIGKILL before the N-th counted call (1-based; unset: never)
//   KILL_FS_TRACE=<file>                 append one line per counted call: `<n> <function> <path> <Date.now()>`
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, resolve } from 'node:path';

const checkpoint = process.env.KILL_FS_CHECKPOINT ? resolve(process.env.KILL_FS_CHECKPOINT) : null;
const killAt = process.env.KILL_FS_AT_CALL ? Number(process.env.KILL_FS_AT_CALL) : null;
const trace = process.env.KILL_FS_TRACE ?? null;
let calls = 0;
// The paths of open descriptors, so that an fsync can be attributed to a file.
const openPaths = new Map<number, string>();

function counts(path: string): boolean {
  if (checkpoint === null) return false;
  const p = resolve(path);
  return p === dirname(checkpoint) || p === checkpoint || p.startsWith(`${checkpoint}/`) || p.startsWith(`${checkpoint}.`);
}

function before(name: string, path: string | undefined): void {
  if (path === undefined || !counts(path)) return;
  calls++;
  if (trace !== null) fs.appendFileSync(trace, `${calls} ${name} ${resolve(path)} ${Date.now()}\n`);
  if (calls === killAt) process.kill(process.pid, 'SIGKILL');
}

const pathOf = (p: fs.PathLike): string => (typeof p === 'string' ? p : p instanceof URL ? p.pathname : p.toString());

const { openSync, closeSync, fsyncSync, renameSync, rmSync, unlinkSync } = fs;
const promises = fs.promises;
const { rename: renameAsync, rm: rmAsync, unlink: unlinkAsync } = promises;

fs.openSync = ((path: fs.PathLike, ...rest: Parameters<typeof openSync> extends [unknown, ...infer R] ? R : never) => {
  const fd = openSync(path, ...rest);
  openPaths.set(fd, pathOf(path));
  return fd;
}) as typeof openSync;
fs.closeSync = ((fd: number) => {
  openPaths.delete(fd);
  closeSync(fd);
}) as typeof closeSync;
fs.fsyncSync = ((fd: number) => {
  before('fsyncSync', openPaths.get(fd));
  fsyncSync(fd);
}) as typeof fsyncSync;
fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
  before('renameSync', pathOf(from));
  renameSync(from, to);
}) as typeof renameSync;
fs.rmSync = ((path: fs.PathLike, options?: fs.RmOptions) => {
  before('rmSync', pathOf(path));
  rmSync(path, options);
}) as typeof rmSync;
fs.unlinkSync = ((path: fs.PathLike) => {
  before('unlinkSync', pathOf(path));
  unlinkSync(path);
}) as typeof unlinkSync;
promises.rename = (async (from: fs.PathLike, to: fs.PathLike) => {
  before('promises.rename', pathOf(from));
  return renameAsync(from, to);
}) as typeof renameAsync;
promises.rm = (async (path: fs.PathLike, options?: fs.RmOptions) => {
  before('promises.rm', pathOf(path));
  return rmAsync(path, options);
}) as typeof rmAsync;
promises.unlink = (async (path: fs.PathLike) => {
  before('promises.unlink', pathOf(path));
  return unlinkAsync(path);
}) as typeof unlinkAsync;
// Named imports of node:fs (`import { renameSync } from 'node:fs'`) see the wrapped functions too.
syncBuiltinESMExports();
