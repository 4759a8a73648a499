/** Memory layout shared with the JavaScript arena (src/backend/wasm/memory.ts). */

/** First byte after the module's static data: where the arena may begin. */
export function heap_base(): usize {
  return __heap_base;
}
