/**
 * A worker thread of file-workers.ts: answers each request with file-work.ts's synchronous
 * calls. One request at a time, so a thread's two compare buffers serve every file it compares.
 */
import { parentPort } from 'node:worker_threads';
import { answer, type WorkerMessage, type WorkerRequest } from './file-work-protocol.js';

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) => {
    const reply = (message: WorkerMessage) => port.postMessage(message);
    reply(answer(request, (bytes) => reply({ id: request.id, kind: 'bytes', bytes })));
  });
}
