import { run } from './store.bench.js';
await run({
  add: (r) => {
    console.log(JSON.stringify(r));
  },
  progress: () => undefined,
});
