/**
 * One worker thread of the pocketsphinx stress program: runs the create/feed/abort/free loop on
 * its own decoders (as each decoder worker of the gateway does) and posts its counts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StressCounts, StressLoopOptions } from './pocketsphinx-stress-loop.js';
import { runStressLoop } from './pocketsphinx-stress-loop.js';

export type StressWorkerMessage =
  | { readonly type: 'progress'; readonly counts: StressCounts }
  | { readonly type: 'done'; readonly counts: StressCounts };

const options = workerData as StressLoopOptions;
const counts = await runStressLoop(options, (progress) =>
  parentPort?.postMessage({ type: 'progress', counts: progress } satisfies StressWorkerMessage),
);
parentPort?.postMessage({ type: 'done', counts } satisfies StressWorkerMessage);
