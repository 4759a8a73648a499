/** nn.ModuleList and nn.ModuleDict: submodules held in a list or by key, as in PyTorch. */
import { IndexError, ValueError } from '../errors.js';
import { Module } from './module.js';

function checkModule(owner: string, what: string, m: unknown): void {
  if (!(m instanceof Module)) throw new ValueError(`${owner}: ${what} is not a Module`);
}

/**
 * Holds submodules in a list, as torch.nn.ModuleList: they are registered under '0', '1', …, so
 * their parameters read `layers.0.weight` when the list is a field `layers`. It has no forward;
 * the owner iterates it.
 *
 * @example
 * import { nn, randn, relu, type Tensor } from 'recurrent';
 * class Stack extends nn.Module {
 *   layers = new nn.ModuleList([1, 2, 3].map(() => new nn.Linear({ inFeatures: 8, outFeatures: 8 })));
 *   forward(x: Tensor): Tensor {
 *     for (const layer of this.layers) x = relu(layer.forward(x));
 *     return x;
 *   }
 * }
 * const stack = new Stack();
 * stack.forward(randn([2, 8])).shape; // [2, 8]
 * Object.keys(stack.stateDict())[0]; // 'layers.0.weight'
 */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** Adds `module` at the end, under the next index. */
  append(module: M): this {
    checkModule('ModuleList', `item ${this.items.length}`, module);
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  /** Appends every module of `modules`. */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** The module at `index`; negative indices count from the end, as in Python. */
  at(index: number): M {
    const n = this.items.length;
    const i = Number.isInteger(index) && index < 0 ? index + n : index;
    const m = Number.isInteger(i) && i >= 0 ? this.items[i] : undefined;
    if (m === undefined) throw new IndexError(`ModuleList: index ${index} is out of range for ${n} module(s)`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * Holds submodules by name, as torch.nn.ModuleDict: each is registered under its key, in
 * insertion order (replacing a key keeps its place). Keys must be non-empty and contain no '.'.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const heads = new nn.ModuleDict({ tags: new nn.Linear({ inFeatures: 32, outFeatures: 17 }), chunks: new nn.Linear({ inFeatures: 32, outFeatures: 5 }) });
 * heads.get('tags').forward(randn([4, 32])).shape; // [4, 17]
 * Object.keys(heads.stateDict()); // ['tags.weight', 'tags.bias', 'chunks.weight', 'chunks.bias']
 */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly items = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<readonly [string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? modules : Object.entries(modules);
    for (const [key, m] of entries) this.set(key, m);
  }

  /** Number of modules. */
  get size(): number {
    return this.items.size;
  }

  /** Registers `module` under `key` (replacing any module there). */
  set(key: string, module: M): this {
    checkModule('ModuleDict', `'${key}'`, module);
    this.registerModule(key, module);
    this.items.set(key, module);
    return this;
  }

  /** The module under `key` (throws if absent). */
  get(key: string): M {
    const m = this.items.get(key);
    if (m === undefined) throw new ValueError(`ModuleDict: no module '${key}'; keys: ${[...this.items.keys()].join(', ') || '(none)'}`);
    return m;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): IterableIterator<M> {
    return this.items.values();
  }

  entries(): IterableIterator<[string, M]> {
    return this.items.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, M]> {
    return this.items.entries();
  }
}
