/**
 * What an ONNX operator is to the importer: the attributes it accepts, how many inputs it takes,
 * and how it is built into a kernel once per node (attributes read and checked then, so that an
 * unsupported option is an error at import, not at the first run).
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../../nn/module.js';
import type { AttributeKind, Attributes } from './attributes.js';

export interface BuildContext {
  readonly attrs: Attributes;
  /** The model's default-domain opset version. */
  readonly opset: number;
  /** Number of inputs listed (omitted optional ones included, as ''). */
  readonly inputCount: number;
  /** Number of outputs the node names (an empty name is an output nobody reads). */
  readonly outputCount: number;
  /** Whether input `i` is given (listed and not ''). */
  hasInput(i: number): boolean;
  /** Input `i`'s value when it is known at import (an initializer or a Constant's output), else null. */
  constantInput(i: number): Tensor | null;
  /** Whether output `i` is read by another node or is a graph output. */
  outputUsed(i: number): boolean;
}

export interface Kernel {
  /** Computes the outputs from the inputs (null for an omitted optional input). */
  run(inputs: readonly (Tensor | null)[]): Tensor[];
  /** A module holding the node's parameters (a recurrent layer built from W, R, B), if any. */
  readonly layer?: Module;
  /** Inputs the layer consumed: their initializers need no parameter of their own. */
  readonly consumes?: readonly number[];
}

export interface OperatorSpec {
  readonly attributes: Readonly<Record<string, AttributeKind>>;
  /** Least and most inputs. */
  readonly inputs: readonly [number, number];
  build(ctx: BuildContext): Kernel;
}

/** A kernel from a function of its inputs. */
export function kernel(run: (inputs: readonly (Tensor | null)[]) => Tensor[]): Kernel {
  return { run };
}
