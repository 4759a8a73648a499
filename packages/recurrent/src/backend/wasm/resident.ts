/**
 * Resident storage: float32 arrays that live in wasm memory for their whole life, so that kernels
 * use them in place, with no copy in and (for single-row products) no packing. Module parameters
 * are placed here: they take part in every op of every step, and an optimizer's in-place update is
 * seen by the kernels with no cache to invalidate.
 *
 * Only over a shared memory: growing a shared memory leaves existing views valid, while growing an
 * unshared one detaches them, which would empty every resident array.
 *
 * Blocks lie between the kernels' static data and the arena, whose base moves up to make room and
 * back down when the highest block is freed; freed blocks are reused first-fit. A block is freed
 * when its array is garbage collected. A `subarray` of a resident array does not keep the block
 * alive: keep the array itself.
 */
import { ResourceError } from '../../errors.js';
import { ALIGN, type Arena, type WasmMemory, alignUp } from './memory.js';

interface Block {
  ptr: number;
  bytes: number;
}

export class ResidentHeap {
  /** Free blocks below the arena, by address, never adjacent (coalesced). */
  private readonly free: Block[] = [];
  private readonly registry = new FinalizationRegistry<Block>((block) => this.release(block));
  private live = 0;

  constructor(
    private readonly memory: WasmMemory,
    private readonly arena: Arena,
  ) {}

  /** Bytes held by live resident arrays. */
  get bytesInUse(): number {
    return this.live;
  }

  /**
   * A zero-filled resident array of n floats, or null when none can be placed now: inside a kernel
   * call (the arena is in use), over an unshared memory, or when the memory cannot grow to hold it
   * (the array then stays in ordinary JavaScript storage, and kernels copy it in per call).
   */
  f32(n: number): Float32Array | null {
    if (!this.memory.shared || !this.arena.empty) return null;
    const bytes = alignUp(Math.max(4 * n, ALIGN));
    let ptr = this.takeFree(bytes);
    if (ptr === null) {
      try {
        ptr = this.takeFromArena(bytes);
      } catch (e) {
        if (e instanceof ResourceError) return null;
        throw e;
      }
    }
    const view = new Float32Array(this.memory.memory.buffer, ptr, n);
    view.fill(0);
    this.live += bytes;
    this.registry.register(view, { ptr, bytes });
    return view;
  }

  private takeFree(bytes: number): number | null {
    const i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i < 0) return null;
    const block = this.free[i]!;
    const ptr = block.ptr;
    if (block.bytes === bytes) this.free.splice(i, 1);
    else {
      block.ptr += bytes;
      block.bytes -= bytes;
    }
    return ptr;
  }

  private takeFromArena(bytes: number): number {
    const ptr = alignUp(this.arena.base);
    this.arena.moveBase(ptr + bytes);
    return ptr;
  }

  private release(block: Block): void {
    this.live -= block.bytes;
    let i = this.free.findIndex((b) => b.ptr > block.ptr);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { ...block });
    // Coalesce with the next block, then with the previous one.
    const next = this.free[i + 1];
    const here = this.free[i]!;
    if (next && here.ptr + here.bytes === next.ptr) {
      here.bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.bytes === here.ptr) {
      prev.bytes += here.bytes;
      this.free.splice(i, 1);
    }
    // The highest free block borders the arena: give it back.
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.arena.base && this.arena.empty) {
      this.arena.moveBase(last.ptr);
      this.free.pop();
    }
  }
}
