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
  constructor(message: string, readonly variable: string, readonly value: string) {
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
  constructor(message: string, readonly op: string, readonly phase: 'forward' | 'backward', readonly createdAt: string | null) {
    super(message);
  }
}

/** Formats a shape the way messages print it: `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
