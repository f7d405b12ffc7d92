/**
 * Starts a zip worker thread (./zip-worker.ts) from a file of its own. Built into dist/ (the
 * action's dist/index.js, the CLI's dist/cli/index.js), that file is zip-worker/index.js beside
 * the running one: `npm run package` builds zip-worker.ts as an entry of its own into each. From
 * source (the tests, tsx scripts: this module's URL ends in `.ts`) it is the TypeScript itself,
 * and the thread first registers tsx to load it: a worker does not inherit its parent's loader,
 * and the test runner's (ts-jest) is not one a thread can use.
 */
import { Worker } from 'node:worker_threads'

/** Where the build puts the worker, relative to the file that starts it (see package.json). */
export const BUILT_WORKER = './zip-worker/index.js'

export function startZipWorker(): Worker {
  // Read at run time: the bundler leaves `new URL(<variable>, …)` alone, so the worker is not
  // copied in as an asset but found where the build put it.
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL(BUILT_WORKER, here))
  const loader = [
    `import { createRequire } from 'node:module'`,
    `const require = createRequire(${JSON.stringify(here)})`,
    `require('tsx/cjs/api').register()`,
    `require('./zip-worker.ts')`
  ].join('\n')
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(loader)}`))
}
