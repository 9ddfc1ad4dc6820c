import { Worker } from 'node:worker_threads';

/** This file's own extension tells whether the code runs built (.js) or from source under tsx or vitest (.ts). */
const fromSource = import.meta.url.endsWith('.ts');

/**
 * A worker thread running the built module at `url` (a `.js` URL beside its caller). Run from source, the
 * worker runs the `.ts` file instead, registering tsx before it imports it.
 */
export function startModuleWorker(url: URL, workerData: unknown): Worker {
  if (!fromSource) return new Worker(url, { workerData });
  const source = new URL(url.href.replace(/\.js$/, '.ts'));
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
