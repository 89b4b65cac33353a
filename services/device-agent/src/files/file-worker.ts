/**
 * A worker thread of file-workers.ts: answers each request with the synchronous calls of
 * day-walker.ts, day-facts.ts and file-comparer.ts. One request at a time, so a thread's two
 * compare buffers serve every file it compares.
 */
import { parentPort } from 'node:worker_threads';
import { answer, type ThreadMessage, type WorkerRequest } from './file-work-protocol.js';

/**
 * Progress crosses at most this often from a thread; what is left of a request rides on its
 * answer. A message per MiB of small files woke the agent's event loop some 460 times in a
 * verify of 100 000 files for progress it throttles to 250 ms anyway. The first bytes after a
 * quiet spell cross at once: a short verify still gets a sample of its rate before its end.
 */
const PROGRESS_MS = 100;

/** When this thread last told the agent of bytes done. */
let told = Number.NEGATIVE_INFINITY;

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) => {
    const reply = (message: ThreadMessage) => port.postMessage(message);
    let untold = 0;
    const answered = answer(request, (bytes) => {
      untold += bytes;
      const now = performance.now();
      if (now - told < PROGRESS_MS) return;
      reply({ id: request.id, kind: 'bytes', bytes: untold });
      untold = 0;
      told = now;
    });
    if (untold > 0) told = performance.now();
    reply(untold > 0 ? { ...answered, progress: untold } : answered);
  });
}
