/**
 * A webhook target: one POST of the finished run as JSON with its summary and advice, signed
 * with HMAC-SHA256 over the exact body when the target has a secret, so a receiver can tell
 * the controller's reports from anyone else's.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Run } from '@cedar-store/ports';
import type { WebhookTargetConfig } from '../config/notify-config.js';
import type { RunReport } from './run-report.js';

export const SIGNATURE_HEADER = 'X-Cedar-Store-Signature';

/** A receiver that neither answers nor fails is given up on for this attempt (it is retried). */
const REQUEST_TIMEOUT_MS = 15_000;

/** The JSON a webhook receives. */
export function webhookBody(run: Run, report: RunReport): string {
  return JSON.stringify({
    event: report.event,
    subject: report.subject,
    summary: report.summary,
    advice: report.advice,
    run,
  });
}

/** `sha256=<hex HMAC-SHA256 of the body>`, the value of X-Cedar-Store-Signature. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Where a target posts to, without the path or query (which may carry a key): safe to log. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

export async function postWebhook(
  target: WebhookTargetConfig,
  body: string,
  signal: AbortSignal,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<void> {
  const url = new URL(target.url);
  const headers: Record<string, string> = {
    ...target.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'cedar-store',
  };
  if (target.secret) headers[SIGNATURE_HEADER] = signBody(body, target.secret);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers,
      signal,
      timeout: timeoutMs,
      ...(target.ca && url.protocol === 'https:' ? { ca: target.ca } : {}),
    });
    outgoing.on('response', resolve);
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  response.resume();
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) throw new Error(`the receiver answered HTTP ${status}`);
}
