/** Switching gradient recording off for a block of code. */

let disabled = 0;

export function isGradEnabled(): boolean {
  return disabled === 0;
}

/** Runs `fn` without recording operations for autograd, and returns its result. */
export function noGrad<T>(fn: () => T): T {
  disabled++;
  try {
    return fn();
  } finally {
    disabled--;
  }
}
