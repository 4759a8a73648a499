/**
 * Optimizer: the base of every optimizer, as torch.optim.Optimizer. It holds parameter groups
 * (each a list of parameters with its own hyperparameters) and per-parameter state, and updates
 * `p.data` in place: tensors are never replaced, and no autograd op is recorded.
 *
 * Subclasses implement `stepGroup`, reading gradients and state through the helpers below:
 *
 * ```ts
 * class SignSGD extends optim.Optimizer<{ lr: number }> {
 *   constructor(params: Tensor[], options: { lr?: number } = {}) {
 *     super(params, { lr: 0.01, ...options });
 *   }
 *   protected stepGroup(group: optim.ParamGroup): void {
 *     for (const p of group.params) {
 *       const g = this.gradOf(p);
 *       if (g === null) continue;
 *       for (let i = 0; i < g.length; i++) p.data[i] -= group.lr * Math.sign(g[i]);
 *     }
 *   }
 * }
 * ```
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { type TypedArray, allocate, isFloating } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Checks, checksLike, fmtValue, nonNegative, rejectUnknown, validate, withDefaults } from './options.js';

/** A parameter group: parameters and the hyperparameters that apply to them. */
export interface ParamGroup {
  params: Tensor[];
  /** Learning rate; schedules change it between steps. */
  lr: number;
  /** The learning rate a schedule started from (set when the first schedule attaches). */
  initialLr?: number;
}

/** A parameter group as given to a constructor: options left out take the optimizer's defaults. */
export type ParamGroupSpec<O> = { params: Tensor[]; initialLr?: number } & Partial<O>;

/** The state of one parameter, by PyTorch's names (`step`, `exp_avg`, `momentum_buffer`, …). */
export type ParamState = Record<string, Tensor | number>;

/**
 * A snapshot of an optimizer, laid out as PyTorch's: `state` maps a parameter's index (counted
 * across the groups, in order) to its state; `paramGroups[i]` holds group i's hyperparameters
 * and `params`, the indices of its parameters.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Record<string, unknown>[];
}

/**
 * What a subclass may tell the base: its name for messages (default: the class's name) and a
 * check for each option (default: inferred from the defaults' types, see `checksLike`).
 */
export interface OptimizerSpec<O> {
  name?: string;
  checks?: Checks<O>;
}

/** Base of the optimizers. `O` holds the hyperparameters of a group (lr and the rest). */
export abstract class Optimizer<O extends { lr: number } = { lr: number }> {
  /** The optimizer's name, as messages print it. */
  readonly name: string;
  /** The hyperparameters a group gets when it does not set its own. */
  readonly defaults: Readonly<O>;
  /** The parameter groups; hyperparameters may be changed between steps (schedules change lr). */
  paramGroups: (ParamGroup & O)[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  state = new Map<Tensor, ParamState>();
  private readonly checks: Checks<O>;

  /**
   * @param params the parameters (floating leaf tensors), or parameter groups
   * @param defaults every hyperparameter's value for groups that do not set it (the user's options
   *   merged over the optimizer's defaults); keys without a check are errors
   * @param spec the optimizer's name and option checks
   */
  protected constructor(params: readonly Tensor[] | readonly ParamGroupSpec<O>[], defaults: object, spec: OptimizerSpec<O> = {}) {
    this.name = spec.name ?? new.target.name;
    this.checks = spec.checks ?? checksLike<O>(defaults);
    rejectUnknown(this.name, defaults, Object.keys(this.checks));
    this.defaults = validate(this.name, { ...defaults }, this.checks);
    this.checkGroup(this.name, this.defaults);
    if (params instanceof Tensor) {
      throw new ValueError(`${this.name}: params must be an array of Tensors or of parameter groups; got a single Tensor (wrap it in an array)`);
    }
    if (!Array.isArray(params)) {
      const hint = typeof params === 'object' && params !== null && 'parameters' in params ? ' (pass module.parameters())' : '';
      throw new ValueError(`${this.name}: params must be an array of Tensors or of parameter groups; got ${fmtValue(params)}${hint}`);
    }
    if (params.length === 0) throw new ValueError(`${this.name}: got an empty parameter list`);
    const specs = params[0] instanceof Tensor ? [{ params: params as Tensor[] } as ParamGroupSpec<O>] : (params as ParamGroupSpec<O>[]);
    for (const group of specs) this.addParamGroup(group);
  }

  /** Checks relations between options (e.g. SGD's Nesterov needs momentum); throws a ValueError. */
  protected checkGroup(_owner: string, _options: O): void {}

  /** Updates the parameters of one group that have a gradient. */
  protected abstract stepGroup(group: ParamGroup & O): void;

  /** Adds a parameter group; options it leaves out take the defaults. */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const owner = `${this.name} (param group ${this.paramGroups.length})`;
    if (typeof spec !== 'object' || spec === null || !('params' in spec)) {
      throw new ValueError(`${owner}: a parameter group must be an object with 'params'; got ${fmtValue(spec)}`);
    }
    const list: unknown = spec.params instanceof Tensor ? [spec.params] : spec.params;
    if (!Array.isArray(list) || list.length === 0) {
      throw new ValueError(`${owner}: params must be a non-empty array of Tensors; got ${fmtValue(list)}`);
    }
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    const params: Tensor[] = [];
    list.forEach((p: unknown, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${owner}: params[${i}] must be a Tensor; got ${fmtValue(p)}`);
      if (!isFloating(p.dtype)) throw new DTypeError(`${owner}: params[${i}] must be float32 or float64; got ${p.dtype}`);
      if (!p.isLeaf) throw new ValueError(`${owner}: params[${i}] is not a leaf tensor; only leaves can be optimized`);
      if (params.includes(p)) throw new ValueError(`${owner}: params[${i}] appears twice in the group`);
      if (taken.has(p)) throw new ValueError(`${owner}: params[${i}] is already in another parameter group`);
      params.push(p);
    });
    this.paramGroups.push(this.makeGroup(owner, spec, params));
  }

  /** Validates a group's options (unknown keys are errors) and builds the group. */
  private makeGroup(owner: string, spec: object, params: Tensor[]): ParamGroup & O {
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(spec)) if (key !== 'params' && key !== 'initialLr') rest[key] = value;
    rejectUnknown(owner, rest, Object.keys(this.checks));
    const options = validate(owner, withDefaults(owner, this.defaults, rest), this.checks);
    this.checkGroup(owner, options);
    const group: ParamGroup & O = { params, ...options };
    const initialLr = (spec as { initialLr?: unknown }).initialLr;
    if (initialLr !== undefined) group.initialLr = nonNegative(owner, 'initialLr', initialLr);
    return group;
  }

  /** Performs one update of every parameter that has a gradient (those without are skipped). */
  step(): void {
    for (const group of this.paramGroups) this.stepGroup(group);
  }

  /** Sets the gradient of every parameter to null. */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** The elements of `p`'s gradient, or null when it has none. */
  protected gradOf(p: Tensor): TypedArray | null {
    const g = p.grad;
    if (g === null) return null;
    if (!shapesEqual(g.shape, p.shape)) {
      throw new ShapeError(`${this.name}.step: a gradient has shape ${fmtShape(g.shape)} but its parameter has shape ${fmtShape(p.shape)}`);
    }
    return g.data;
  }

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** The elements of the state tensor `key` of `p`, created filled with `fill` when absent. */
  protected buffer(p: Tensor, state: ParamState, key: string, fill = 0): TypedArray {
    let t = state[key];
    if (t === undefined) {
      const data = allocate(p.dtype, p.size);
      if (fill !== 0) data.fill(fill);
      t = new Tensor(data, p.shape);
      state[key] = t;
    }
    if (!(t instanceof Tensor) || t.size !== p.size) {
      throw new ValueError(
        `${this.name}.step: state '${key}' must be a Tensor of shape ${fmtShape(p.shape)}; got ${t instanceof Tensor ? fmtShape(t.shape) : fmtValue(t)}`,
      );
    }
    return t.data;
  }

  /** The number `key` of a state (0 when absent). */
  protected counter(state: ParamState, key: string): number {
    const n = state[key] ?? 0;
    if (typeof n !== 'number') throw new ValueError(`${this.name}.step: state '${key}' must be a number; got a Tensor`);
    return n;
  }

  /**
   * A copy of the hyperparameters and state, with parameters referred to by index as in PyTorch.
   * The tensors are copies: further steps do not change a saved dict.
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key !== 'params') packed[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
      }
      packed.params = group.params.map((p) => {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        return index++;
      });
      return packed;
    });
    return { state, paramGroups };
  }

  /**
   * Restores hyperparameters and state saved by `stateDict` into an optimizer over parameters of
   * the same shapes, grouped the same way. State tensors are copied into each parameter's dtype.
   * Everything is checked before anything changes.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const owner = `${this.name}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null || !Array.isArray(dict.paramGroups) || typeof dict.state !== 'object' || dict.state === null) {
      throw new ValueError(`${owner}: expected an object with 'state' and 'paramGroups'; got ${fmtValue(dict)}`);
    }
    const saved = dict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new ValueError(`${owner}: the dict has ${saved.length} parameter group(s), the optimizer ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const groups = saved.map((g, i) => {
      const ids = g.params;
      const own = this.paramGroups[i]!.params;
      if (!Array.isArray(ids) || ids.length !== own.length) {
        throw new ValueError(
          `${owner}: parameter group ${i} has ${Array.isArray(ids) ? ids.length : 'no'} parameters in the dict, ${own.length} in the optimizer`,
        );
      }
      ids.forEach((id: unknown, k) => {
        if (typeof id !== 'number' || !Number.isInteger(id))
          throw new ValueError(`${owner}: paramGroups[${i}].params[${k}] must be an integer index; got ${fmtValue(id)}`);
        byIndex.set(id, own[k]!);
      });
      return this.makeGroup(`${owner}: parameter group ${i}`, g, own);
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(dict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new ValueError(`${owner}: state refers to parameter ${key}, which no parameter group lists`);
      state.set(p, loadState(`${owner}: state of parameter ${key}`, entry, p));
    }
    this.paramGroups = groups;
    this.state = state;
  }
}

function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [key, value] of Object.entries(s)) out[key] = value instanceof Tensor ? new Tensor(value.data.slice(), value.shape) : value;
  return out;
}

/** Copies one parameter's saved state, in the parameter's dtype; a one-element `step` tensor becomes a number. */
function loadState(owner: string, entry: unknown, p: Tensor): ParamState {
  if (typeof entry !== 'object' || entry === null) throw new ValueError(`${owner}: expected an object; got ${fmtValue(entry)}`);
  const out: ParamState = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'step' && value instanceof Tensor && value.size === 1) {
      out[key] = value.data[0]!;
    } else if (value instanceof Tensor) {
      if (!shapesEqual(value.shape, p.shape)) {
        throw new ShapeError(`${owner}: '${key}' has shape ${fmtShape(value.shape)}, the parameter ${fmtShape(p.shape)}`);
      }
      const data = allocate(p.dtype, p.size);
      data.set(value.data);
      out[key] = new Tensor(data, p.shape);
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      out[key] = value;
    } else {
      throw new ValueError(`${owner}: '${key}' must be a Tensor or a finite number; got ${fmtValue(value)}`);
    }
  }
  return out;
}
