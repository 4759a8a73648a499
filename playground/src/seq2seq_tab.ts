/**
 * The second tab: a small sequence-to-sequence model (dates, or the number sorter) trained or
 * loaded in the page, with its attention heatmap as the user types. It waits for the library's
 * seq2seq module; until then the tab says so. When it lands, this file renders the tab's panel:
 * its own worker (like worker.ts), an input box, and an attention heatmap (see views/heatmap.ts).
 */
import { html } from './dom.js';

export function renderSeq2seqTab(panel: HTMLElement): void {
  panel.replaceChildren(
    html('h2', {}, 'Sequence to sequence'),
    html(
      'p',
      {},
      'Coming with the library’s seq2seq module: a small encoder–decoder with attention (reading dates, or sorting numbers), trained or loaded here, showing where it attends as you type.',
    ),
  );
}
