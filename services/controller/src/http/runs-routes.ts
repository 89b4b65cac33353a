/**
 * Runs: submit one, list them, read one, follow its events, cancel it. A refused request
 * changes nothing: the body is fully validated before the coordinator sees it, and the
 * coordinator itself records nothing for a request it refuses.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { RunCoordinator } from '../runs/run-coordinator.js';
import type { ObservableRunRepository } from '../runs/run-events.js';
import { RequestRefusedError, runNotFound } from './errors.js';
import { runEventsRoute, type EventStreamLimits } from './run-events-stream.js';
import { NoQuerySchema, RunParamsSchema, RunsQuerySchema, SubmitRunBodySchema } from './schemas.js';
import { parseRequest } from './validate.js';

export type RunsRoutesDeps = {
  coordinator: RunCoordinator;
  runs: ObservableRunRepository;
  eventStream: EventStreamLimits;
};

const NoBodySchema = z.strictObject({});

export function runsRoutes({ coordinator, runs, eventStream }: RunsRoutesDeps): Router {
  const router = Router();

  router.post('/api/v1/runs', async (req, res) => {
    parseRequest(NoQuerySchema, req.query, 'query');
    const request = parseRequest(SubmitRunBodySchema, jsonBody(req), 'body');
    const run = await coordinator.submit(request);
    req.log.info({ runId: run.id, device: run.device, action: run.action }, 'run queued');
    res.status(202).location(`/api/v1/runs/${run.id}`).json(run);
  });

  router.get('/api/v1/runs', async (req, res) => {
    const { status, device, limit } = parseRequest(RunsQuerySchema, req.query, 'query');
    res.json({ runs: await runs.list({ limit, ...(status ? { status } : {}), ...(device ? { device } : {}) }) });
  });

  router.get('/api/v1/runs/:id', async (req, res) => {
    const { id } = parseRequest(RunParamsSchema, req.params, 'path');
    parseRequest(NoQuerySchema, req.query, 'query');
    const run = await runs.get(id);
    if (!run) throw runNotFound(id);
    res.json(run);
  });

  router.get('/api/v1/runs/:id/events', runEventsRoute(runs, eventStream));

  router.post('/api/v1/runs/:id/cancel', async (req, res) => {
    const { id } = parseRequest(RunParamsSchema, req.params, 'path');
    parseRequest(NoQuerySchema, req.query, 'query');
    if (hasBody(req)) parseRequest(NoBodySchema, jsonBody(req), 'body');
    const cancel = await coordinator.cancel(id);
    if (cancel.outcome === 'unknown') throw runNotFound(id);
    if (cancel.outcome === 'finished') {
      throw new RequestRefusedError(
        409,
        `run ${id} already finished (${cancel.run.status}): there is nothing to cancel`,
      );
    }
    req.log.info({ runId: id, device: cancel.run.device, outcome: cancel.outcome }, 'run cancel');
    res.json({ outcome: cancel.outcome, run: cancel.run });
  });

  return router;
}

function hasBody(req: Request): boolean {
  return req.is('application/json') !== null && req.get('content-length') !== '0';
}

/** The parsed JSON body, refusing a request that sent none or sent something else. */
function jsonBody(req: Request): unknown {
  const json = req.is('application/json');
  if (!hasBody(req)) throw new RequestRefusedError(400, 'the request needs a JSON body, e.g. {"action":"store"}');
  if (json === false) {
    throw new RequestRefusedError(
      415,
      `the body must be JSON (Content-Type: application/json), not ${req.get('content-type') ?? 'untyped'}`,
    );
  }
  return req.body;
}
