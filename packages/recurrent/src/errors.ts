/**
 * Typed errors. Every message names the operation, the argument, what was expected and what was
 * given, e.g. `matmul: inner dimensions differ: a is [32, 64], b is [128, 256]`.
 */

/** Base class of every error this library throws on purpose. */
export class RecurrentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the operation (mismatch, bad rank, impossible reshape). */
export class ShapeError extends RecurrentError {}

/** A dtype the operation does not accept, or two dtypes that differ. */
export class DTypeError extends RecurrentError {}

/** An axis or index outside its valid range. */
export class IndexError extends RecurrentError {}

/** An argument with an invalid value (negative size, probability outside [0, 1), …). */
export class ValueError extends RecurrentError {}

/**
 * An environment variable the library reads (RECURRENT_NUM_THREADS, RECURRENT_BACKEND) holds a
 * value it cannot take. Raised at first use, naming the variable and the value: a misconfigured
 * run fails loudly rather than running on silently with a default.
 */
export class EnvironmentError extends ValueError {
  constructor(
    message: string,
    readonly variable: string,
    readonly value: string,
  ) {
    super(message);
  }
}

/** A file (safetensors, checkpoint, …) that is malformed or inconsistent. */
export class FormatError extends RecurrentError {}

/**
 * A request larger than a limit of the runtime (the wasm backend's 4 GiB memory, a typed array's
 * maximum length). The message names the operation, the bytes needed, the limit, and a way forward.
 */
export class ResourceError extends RecurrentError {}

/** The backend cannot run here (no WebAssembly SIMD, a kernel binary out of date) or failed inside. */
export class BackendError extends RecurrentError {}

/** Analytic and numerical gradients disagree (raised by `gradcheck`). */
export class GradcheckError extends RecurrentError {}

/**
 * Autograd used in a way it cannot serve, such as a second backward through a graph whose saved
 * tensors were released by the first (pass `retainGraph: true` to the first).
 */
export class AutogradError extends RecurrentError {}

/**
 * Anomaly mode (`detectAnomaly`, `setDetectAnomaly`) found NaN or Inf in an op's forward output or
 * backward gradient. `op` names the op; `createdAt` is the first stack frame outside this library
 * where it was created, when known.
 */
export class AnomalyError extends AutogradError {
  constructor(
    message: string,
    readonly op: string,
    readonly phase: 'forward' | 'backward',
    readonly createdAt: string | null,
  ) {
    super(message);
  }
}

/** Formats a shape the way messages print it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A value as messages print it: strings quoted, objects by their class name. */
export function fmtValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(fmtValue).join(', ')}]`;
  if (typeof value === 'object') {
    const name = value.constructor === Object || typeof value.constructor?.name !== 'string' ? 'object' : value.constructor.name;
    return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
  }
  return String(value);
}

/**
 * Throws on a key of `raw` outside `known` (a typo, or PyTorch's snake_case name), suggesting the
 * camelCase option when it exists: `LSTM: unknown option 'batch_first'; did you mean 'batchFirst'?`.
 */
export function rejectUnknown(owner: string, raw: object, known: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const folded = known.find((k) => k.toLowerCase() === key.replace(/_/g, '').toLowerCase());
    const guess = known.includes(camel) ? camel : folded;
    const hint = guess !== undefined ? `; did you mean '${guess}'?` : `; known options: ${known.join(', ')}`;
    throw new ValueError(`${owner}: unknown option '${key}'${hint}`);
  }
}

/**
 * Checks that a constructor's `options` is an object whose keys are all in `keys` (one entry per
 * option of `O`, so the list cannot fall behind the interface). Returns the options.
 */
export function checkOptions<O extends object>(owner: string, options: O, keys: Record<keyof Required<O>, true>): O {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${owner}: options must be an object; got ${fmtValue(options)}`);
  }
  rejectUnknown(owner, options, Object.keys(keys));
  return options;
}
