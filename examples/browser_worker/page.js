// The page: starts the worker, sends it the text, and shows its progress. It never blocks.
const worker = new Worker(new URL('./train_worker.js', import.meta.url), { type: 'module' });
const status = document.getElementById('status');
const messages = [];
globalThis.__messages = messages; // for the test that runs this example

worker.onmessage = ({ data }) => {
  messages.push(data);
  if (data.type === 'ready') status.textContent = `${data.backend} backend, ${data.threads} thread(s)`;
  if (data.type === 'progress') status.textContent = `step ${data.step}: loss ${data.loss.toFixed(3)}`;
  if (data.type === 'done') status.textContent += ' (done)';
};

const text = 'the quick brown fox jumps over the lazy dog. '.repeat(200);
worker.postMessage({ text, steps: 60 });
