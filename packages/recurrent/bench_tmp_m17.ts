import { nn, randn, noGrad } from './src/index.js';
const lstm = new nn.LSTM({ inputSize: 64, hiddenSize: 256 });
const x = randn([100, 32, 64]);
const times: number[] = [];
noGrad(() => {
  for (let i = 0; i < 3; i++) lstm.forward(x);
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    lstm.forward(x);
    times.push(performance.now() - t);
  }
});
times.sort((a, b) => a - b);
console.log('median ms', times[7]!.toFixed(2), 'min', times[0]!.toFixed(2));
