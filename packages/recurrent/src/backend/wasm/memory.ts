/**
 * The kernels' linear memory: one WebAssembly.Memory, shared between threads when the host allows
 * it, with a bump arena on top.
 *
 * Growing the memory replaces `memory.buffer`: an unshared buffer is detached (views read as
 * empty), a shared one keeps its old length. Views must therefore be re-derived after anything
 * that may allocate; `f32()` always returns a view of the current buffer.
 */
import { BackendError, ResourceError } from '../../errors.js';

const PAGE = 65536;
export const ALIGN = 64;

export class WasmMemory {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Largest size the memory may grow to, in bytes. */
  readonly maximumBytes: number;
  private view: Float32Array;
  /** Every buffer object the memory has had: views of older ones still alias it when shared. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  /**
   * Tries the declared maximum first and smaller ones after: a shared memory reserves its maximum
   * up front, which a constrained host (a 32-bit browser tab) may refuse.
   */
  constructor(shared: boolean, initialPages: number, maximumPages: number) {
    let lastError: unknown = null;
    for (let max = maximumPages; max >= Math.max(initialPages, 1024); max >>= 1) {
      try {
        this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: max, shared });
        this.shared = shared;
        this.maximumBytes = max * PAGE;
        this.view = new Float32Array(this.memory.buffer);
        this.buffers.add(this.memory.buffer);
        return;
      } catch (e) {
        lastError = e;
      }
    }
    throw new BackendError(`wasm backend: cannot allocate WebAssembly memory (${lastError instanceof Error ? lastError.message : String(lastError)})`);
  }

  get byteLength(): number {
    return this.view.byteLength;
  }

  /** Grows the memory to hold at least `bytes`, at least doubling so that growth is rare. */
  ensure(bytes: number): void {
    if (bytes <= this.view.byteLength) return;
    if (!(bytes <= this.maximumBytes)) throw this.tooSmall(bytes, `the maximum is ${this.maximumBytes}`);
    const current = this.view.byteLength / PAGE;
    const wanted = Math.ceil(bytes / PAGE);
    const pages = Math.min(Math.max(wanted, current * 2), this.maximumBytes / PAGE);
    try {
      this.memory.grow(pages - current);
    } catch (e) {
      // The host may refuse to grow below the declared maximum (out of memory); retry at the size needed.
      try {
        if (wanted > current && wanted < pages) this.memory.grow(wanted - current);
        else throw e;
      } catch {
        throw this.tooSmall(bytes, `the host could not grow it past ${this.view.byteLength} (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    this.view = new Float32Array(this.memory.buffer);
    this.buffers.add(this.memory.buffer);
  }

  private tooSmall(bytes: number, why: string): ResourceError {
    return new ResourceError(
      `wasm backend: an op needs ${bytes} bytes of WebAssembly memory; ${why}. ` +
        "Use a smaller batch or sequence chunk, or the reference backend (setBackend('reference') or RECURRENT_BACKEND=reference)",
    );
  }

  /**
   * Whether `x` is a view into this memory that kernels may use in place: one of the current
   * buffer, or (shared memory only: an unshared buffer is detached by growth) of an earlier one.
   */
  owns(x: ArrayBufferView): boolean {
    const buffer = x.buffer;
    // The view's buffer is the current one, read without the memory's (slower) buffer getter.
    if (buffer === this.view.buffer) return true;
    return this.shared && this.buffers.has(buffer);
  }

  /** A float32 view of the whole memory, valid until the next growth. */
  f32(): Float32Array {
    return this.view;
  }
}

/**
 * Bump allocation over a WasmMemory: 64-byte aligned (a cache line), freed in stack order with
 * mark/release. Allocation never moves earlier blocks; it may grow the memory.
 */
export class Arena {
  private top: number;
  private bottom: number;

  constructor(
    private readonly mem: WasmMemory,
    base: number,
  ) {
    this.bottom = base;
    this.top = alignUp(base);
  }

  /** Where the arena starts; resident blocks (resident.ts) lie below it. */
  get base(): number {
    return this.bottom;
  }

  /** Nothing allocated: true between kernel calls. */
  get empty(): boolean {
    return this.top === alignUp(this.bottom);
  }

  /** Moves the start of an empty arena (to make room for resident blocks below it, or to give it back). */
  moveBase(to: number): void {
    if (!this.empty) throw new BackendError('wasm arena: cannot move the base while blocks are allocated');
    this.mem.ensure(to);
    this.bottom = to;
    this.top = alignUp(to);
  }

  /** Bytes in use above the base. */
  get used(): number {
    return this.top - this.base;
  }

  /** A 64-byte aligned block of `bytes` bytes (contents undefined). */
  alloc(bytes: number): number {
    const at = alignUp(this.top);
    const end = at + Math.max(bytes, 0);
    this.mem.ensure(end);
    this.top = end;
    return at;
  }

  mark(): number {
    return this.top;
  }

  /** Frees everything allocated since `mark()` returned `at`. */
  release(at: number): void {
    if (at < this.bottom || at > this.top) throw new BackendError(`wasm arena: bad release point ${at}`);
    this.top = at;
  }

  reset(): void {
    this.top = alignUp(this.bottom);
  }
}

export function alignUp(x: number): number {
  return Math.ceil(x / ALIGN) * ALIGN;
}
