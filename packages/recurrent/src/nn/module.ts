/**
 * Module: the base of every layer. Parameters, buffers and submodules are registered by name, in
 * order, so `namedParameters()` and `stateDict()` list dotted names in PyTorch's order.
 *
 * Registration, as PyTorch's `__setattr__`: a field of a subclass that holds a Module is a
 * submodule under the field's name, and a field that holds a tensor made by `parameter()` is a
 * parameter; a plain tensor field is neither (as in PyTorch, where only nn.Parameter registers).
 * Fields are found by a scan of the instance's own enumerable properties when the tree is walked,
 * in definition (= assignment) order, after the explicit registrations (registerModule,
 * registerParameter, registerBuffer). An object registered explicitly and also kept in a field is
 * listed once, under its explicit name. A scan rather than a Proxy keeps property reads in forward
 * passes at full speed.
 */
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { type DType, type TypedArray, dtypeOfArray } from '../tensor/dtype.js';
import { cast } from '../tensor/ops/cast.js';
import { numel, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { makeResident } from '../tensor/resident.js';

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Shape mismatches are always errors. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Node's util.inspect hook, by its registered name so that no `node:util` import reaches browsers. */
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** Tensors marked by `parameter()`: a field holding one registers it as a parameter. */
const MARKED = new WeakSet<Tensor>();

/**
 * Marks `tensor` as a parameter, as torch.nn.Parameter: assigned to a field of a Module, it is
 * registered under the field's name. Sets requiresGrad; the tensor must be a leaf. Returns it.
 *
 * @example
 * import { mul, nn, ones, type Tensor } from 'recurrent';
 * class Scale extends nn.Module {
 *   gain = nn.parameter(ones([4]));
 *   forward(x: Tensor): Tensor { return mul(x, this.gain); }
 * }
 * Object.keys(new Scale().stateDict()); // ['gain']
 */
export function parameter(tensor: Tensor): Tensor {
  if (!(tensor instanceof Tensor)) throw new ValueError('parameter: expected a Tensor');
  if (!tensor.isLeaf) throw new ValueError('parameter: the tensor must be a leaf (detach() it first)');
  tensor.requiresGrad = true;
  makeResident(tensor);
  MARKED.add(tensor);
  return tensor;
}

export class Module {
  /** Training mode (dropout active); switch with train() / eval(). */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly modules = new Map<string, Module>();

  /** Registers a parameter (a leaf that requires grad); `null` reserves the name, as PyTorch's bias=None. */
  protected registerParameter(name: string, value: Tensor | null): Tensor | null {
    this.checkName(name);
    if (value !== null) {
      if (!value.isLeaf) throw new ValueError(`registerParameter: '${name}' must be a leaf tensor`);
      value.requiresGrad = true;
      makeResident(value);
    }
    this.params.set(name, value);
    return value;
  }

  /** Registers a non-trainable tensor that belongs in the state dict (running statistics, masks). */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    this.checkName(name);
    this.buffers.set(name, value);
    return value;
  }

  /** Registers a submodule; its parameters appear under `name.`. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.checkName(name);
    this.modules.set(name, module);
    return module;
  }

  /** Explicit parameters, then parameter fields not registered under another name. */
  private ownParams(): Map<string, Tensor | null> {
    const fields = this.fields();
    if (fields.params.length === 0) return this.params;
    const out = new Map(this.params);
    const seen = new Set([...this.params.values()]);
    for (const [name, p] of fields.params) if (!seen.has(p) && !out.has(name)) out.set(name, p);
    return out;
  }

  /** Explicit submodules, then Module fields not registered under another name. */
  private ownModules(): Map<string, Module> {
    const fields = this.fields();
    if (fields.modules.length === 0) return this.modules;
    const out = new Map(this.modules);
    const seen = new Set([...this.modules.values()]);
    for (const [name, m] of fields.modules) if (!seen.has(m) && !out.has(name)) out.set(name, m);
    return out;
  }

  /** Own fields holding a Module or a marked tensor, in definition order. */
  private fields(): { params: [string, Tensor][]; modules: [string, Module][] } {
    const params: [string, Tensor][] = [];
    const modules: [string, Module][] = [];
    for (const [name, value] of Object.entries(this)) {
      if (name === '' || name.includes('.')) continue;
      if (value instanceof Module) {
        if (value !== this) modules.push([name, value]);
      } else if (value instanceof Tensor && MARKED.has(value)) params.push([name, value]);
    }
    return { params, modules };
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new ValueError(`Module: name '${name}' must be non-empty and contain no '.'`);
  }

  /** The registered parameter `name` (throws if absent or null). */
  protected param(name: string): Tensor {
    const p = this.params.get(name) ?? this.ownParams().get(name);
    if (p == null) throw new ValueError(`${this.constructor.name}: no parameter '${name}'`);
    return p;
  }

  /** The registered parameter `name`, or null when it was registered as null. */
  protected optionalParam(name: string): Tensor | null {
    return this.params.get(name) ?? null;
  }

  /** Direct submodules, in registration order. */
  children(): Module[] {
    return [...this.ownModules().values()];
  }

  /** Every module in the tree with its dotted name, this one first (as ''). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.ownModules()) out.push(...m.namedModules(prefix === '' ? name : `${prefix}.${name}`));
    return out;
  }

  /**
   * Parameters with dotted names, in PyTorch's order (own first, then submodules). A tensor
   * registered more than once (a shared module, tied weights) is listed once, under its first
   * name, unless `removeDuplicate` is false.
   */
  namedParameters(prefix = '', removeDuplicate = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const join = (n: string): string => (prefix === '' ? n : `${prefix}.${n}`);
    for (const [name, p] of this.ownParams()) if (p !== null) out.push([join(name), p]);
    for (const [name, m] of this.ownModules()) out.push(...m.namedParameters(join(name), false));
    if (!removeDuplicate) return out;
    const seen = new Set<Tensor>();
    return out.filter(([, p]) => !seen.has(p) && Boolean(seen.add(p)));
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Buffers with dotted names. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const join = (n: string): string => (prefix === '' ? n : `${prefix}.${n}`);
    for (const [name, b] of this.buffers) out.push([join(name), b]);
    for (const [name, m] of this.ownModules()) out.push(...m.namedBuffers(join(name)));
    return out;
  }

  /** Number of parameter elements (only those that require grad when `trainableOnly`). */
  numParameters(trainableOnly = false): number {
    return this.parameters().reduce((n, p) => n + (trainableOnly && !p.requiresGrad ? 0 : p.size), 0);
  }

  /**
   * Parameters and buffers by dotted name, every name of a shared tensor included. The tensors
   * share storage with the module (as PyTorch's state_dict), detached from autograd.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, p] of this.namedParameters('', false)) out[name] = p.detach();
    for (const [name, b] of this.namedBuffers()) out[name] = b.detach();
    return out;
  }

  /**
   * Copies values from `dict` into the parameters and buffers, converting dtype. Wrongly shaped
   * keys are always an error; missing and unexpected keys are errors when `strict` (the default).
   * All problems are reported together, by name. The whole dict is checked (each value a Tensor
   * whose data matches its shape) before anything is copied: a refused load changes nothing.
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
      throw new ValueError(`loadStateDict: dict must be an object mapping names to Tensors; got ${fmtValue(dict)}`);
    }
    const strict = options.strict ?? true;
    const own = new Map<string, Tensor>([...this.namedParameters('', false), ...this.namedBuffers()]);
    const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(dict, key);
    const missingKeys = [...own.keys()].filter((k) => !has(k));
    const unexpectedKeys = Object.keys(dict).filter((k) => !own.has(k));
    const problems: string[] = [];
    // Everything is checked, and every source converted, before the first parameter is written.
    const copies: [TypedArray, TypedArray][] = [];
    for (const [key, target] of own) {
      if (!has(key)) continue;
      const value: unknown = dict[key];
      const problem = stateValueProblem(key, value, target);
      if (problem !== null) problems.push(problem);
      else if (problems.length === 0) {
        const t = value as Tensor;
        copies.push([target.data, t.dtype === target.dtype ? t.data : cast(t, target.dtype).data]);
      }
    }
    if (strict) {
      if (missingKeys.length > 0) problems.push(`Missing key(s): ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
      if (unexpectedKeys.length > 0) problems.push(`Unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`);
    }
    if (problems.length > 0) {
      const kind = problems.some((p) => p.startsWith('size mismatch')) ? ShapeError : ValueError;
      throw new kind(`loadStateDict: error(s) in loading state dict for ${this.constructor.name}:\n  ${problems.join('\n  ')}`);
    }
    for (const [target, source] of copies) target.set(source);
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Converts every parameter and buffer to `dtype` in place (new storage, same names). */
  to(dtype: DType): this {
    if (dtype === 'int32') throw new DTypeError('Module.to: parameters must stay floating; got int32');
    const done = new Map<Tensor, Tensor>(); // a tensor registered twice stays one tensor
    for (const [, m] of this.namedModules()) m.convertOwn(dtype, done);
    return this;
  }

  private convertOwn(dtype: DType, done: Map<Tensor, Tensor>): void {
    const convert = (p: Tensor): Tensor => {
      let converted = done.get(p);
      if (converted === undefined) {
        converted = new Tensor(cast(p.detach(), dtype).data, p.shape);
        converted.requiresGrad = p.requiresGrad;
        makeResident(converted);
        if (MARKED.has(p)) MARKED.add(converted);
        done.set(p, converted);
      }
      return converted;
    };
    for (const [name, p] of this.params) if (p !== null && p.dtype !== dtype) this.params.set(name, convert(p));
    // Fields follow: a parameter field, or a field that aliases an explicit parameter.
    for (const [name, value] of Object.entries(this)) {
      if (!(value instanceof Tensor) || value.dtype === dtype) continue;
      if (MARKED.has(value) || done.has(value)) Reflect.set(this, name, convert(value));
    }
    for (const [name, b] of this.buffers) if (b.dtype !== 'int32') this.buffers.set(name, cast(b, dtype));
  }

  /**
   * The options shown in this module's line of `toString()`, as PyTorch's `extra_repr`: e.g.
   * `inFeatures=20, outFeatures=30, bias=true`. Override in a subclass; default ''.
   */
  extraRepr(): string {
    return '';
  }

  /**
   * The module tree as PyTorch prints it, each line the class name and its extraRepr, children
   * indented under their names, then the parameter count:
   *
   *     Tagger(
   *       (lstm): LSTM(8, 32, numLayers=2, bidirectional=true)
   *       (head): Linear(inFeatures=64, outFeatures=5, bias=true)
   *     )
   *     numParameters: 27141
   */
  toString(): string {
    const total = this.numParameters();
    const trainable = this.numParameters(true);
    return `${this.repr()}\nnumParameters: ${total}${trainable === total ? '' : ` (trainable: ${trainable})`}`;
  }

  /** `console.log(model)` in Node prints toString(). */
  [INSPECT](): string {
    return this.toString();
  }

  private repr(): string {
    const extra = this.extraRepr();
    const children = [...this.ownModules()];
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = extra === '' ? [] : extra.split('\n');
    for (const [name, m] of children) lines.push(`(${name}): ${m.repr().replace(/\n/g, '\n  ')}`);
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }

  /** Freezes (false) or unfreezes (true) every parameter. */
  requiresGrad(value = true): this {
    for (const p of this.parameters()) p.requiresGrad = value;
    return this;
  }
}

/** Reads a positive integer option, with a message naming the module and option. */
export function positiveInt(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${owner}: ${name} must be a positive integer; got ${String(value)}`);
  }
  return value;
}

/** The element type of a module's parameters, with a check that it is floating. */
export function paramDType(owner: string, dtype: DType | undefined): DType {
  const d = dtype ?? 'float32';
  if (d === 'int32') throw new DTypeError(`${owner}: dtype must be float32 or float64; got int32`);
  return d;
}

/** A module with a single-tensor forward, the kind Sequential chains. */
export interface TensorModule extends Module {
  forward(input: Tensor): Tensor;
}

/** What is wrong with `value` as the new value of `target` (named `key`), or null. */
function stateValueProblem(key: string, value: unknown, target: Tensor): string | null {
  if (!(value instanceof Tensor)) return `${key}: expected a Tensor; got ${fmtValue(value)}`;
  const data: unknown = value.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
    return `${key}: the tensor's data must be a Float32Array, Float64Array or Int32Array; got ${fmtValue(data)}`;
  }
  if (!Array.isArray(value.shape) || data.length !== numel(value.shape)) {
    return `${key}: the tensor's data has ${data.length} elements but its shape ${fmtShape(value.shape)} needs ${numel(value.shape)}`;
  }
  if (dtypeOfArray(data) !== value.dtype) return `${key}: the tensor's dtype ${value.dtype} differs from its data's (${dtypeOfArray(data)})`;
  if (!shapesEqual(value.shape, target.shape)) {
    return `size mismatch for ${key}: copying a param with shape ${fmtShape(value.shape)}, the shape in the current model is ${fmtShape(target.shape)}`;
  }
  if (value.dtype === 'int32' && target.dtype !== 'int32') return `${key}: expected a floating tensor; got int32`;
  return null;
}
