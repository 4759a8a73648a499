/**
 * The one seedable random generator behind every random op and initialiser.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna), 128 bits of state, seeded from a 32-bit seed by
 * splitmix32. Uniforms in [0, 1) take 53 bits from two 32-bit draws. Normals use the Box–Muller
 * transform, one normal per pair of uniforms (no cached second value, so the state is the four
 * words alone). `manualSeed(n)` makes a run reproducible; `getRngState`/`setRngState` save and
 * restore it (checkpoints do).
 */
import { ValueError } from '../errors.js';

const state = new Uint32Array(4);

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds the global generator. Any integer works; it is reduced modulo 2^32. */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new ValueError(`manualSeed: seed must be a finite number; got ${seed}`);
  const next = splitmix32(Math.trunc(seed) >>> 0);
  for (let i = 0; i < 4; i++) state[i] = next();
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
}

/** The generator's state, four unsigned 32-bit words. */
export function getRngState(): number[] {
  return Array.from(state);
}

export function setRngState(words: readonly number[]): void {
  if (words.length !== 4 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    throw new ValueError(`setRngState: expected four unsigned 32-bit integers; got [${words.join(', ')}]`);
  }
  state.set(words);
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Next raw 32-bit word. */
export function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(state[1]!, 5) >>> 0, 7), 9) >>> 0;
  const t = (state[1]! << 9) >>> 0;
  state[2]! ^= state[0]!;
  state[3]! ^= state[1]!;
  state[1]! ^= state[2]!;
  state[0]! ^= state[3]!;
  state[2]! ^= t;
  state[3] = rotl(state[3]!, 11);
  return result;
}

/** Uniform double in [0, 1) with 53 random bits. */
export function uniform(): number {
  const hi = nextUint32() >>> 5;
  const lo = nextUint32() >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Standard normal by Box–Muller. */
export function normal(): number {
  const u1 = 1 - uniform(); // (0, 1]: log stays finite
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Uniform integer in [low, high). */
export function randomInt(low: number, high: number): number {
  return low + Math.floor(uniform() * (high - low));
}

manualSeed(0);
