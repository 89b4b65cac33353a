/**
 * controller.yaml `notify:` (docs/alerts-and-notifications.md): where the controller tells a user
 * about finished runs. Secrets live in files (mode 600) read at start, so a missing or readable
 * secret stops the controller before any run instead of failing silently at 3 a.m.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readTokenFile, TokenFileError } from '@cedar-store/ports/auth';
import { z } from 'zod';
import { AbsolutePath } from './config-fields.js';

/** What a finished run counts as for a target's `on:` list. */
export const NOTIFY_EVENTS = ['failed', 'warning', 'succeeded', 'cancelled', 'dryRun'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
export const DEFAULT_NOTIFY_ON: readonly NotifyEvent[] = ['failed', 'warning'];

const HeaderName = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'must be an HTTP header name' });

const WebhookSchema = z.strictObject({
  url: z
    .string()
    .max(2048)
    .refine((value) => /^https?:\/\/[^/\s]+(\/\S*)?$/.test(value), {
      message: 'must be an http:// or https:// URL such as https://alerts.example.org/hooks/cedar-store',
    }),
  headers: z.record(HeaderName, z.string().max(4096)).optional(),
  /** The HMAC key for X-Cedar-Store-Signature. */
  secretFile: AbsolutePath.optional(),
  /** PEM file of a private CA that signed the receiver's certificate (https). */
  caFile: AbsolutePath.optional(),
});

const Address = z.email({ message: 'must be an email address such as backup-admin@example.org' });

const EmailSchema = z.strictObject({
  to: z.union([Address, z.array(Address).min(1).max(32)]),
  from: Address,
  smtp: z.strictObject({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(25),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    user: z.string().min(1).max(255).optional(),
    passwordFile: AbsolutePath.optional(),
  }),
});

const TargetName = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'must be letters, digits, ".", "_" or "-"' });

export const NotifyTargetSchema = z
  .strictObject({
    /** The `target` label of cedar_store_notifications_total and the name in logs (default webhook-1, email-2…). */
    name: TargetName.optional(),
    on: z.array(z.enum(NOTIFY_EVENTS)).min(1).optional(),
    webhook: WebhookSchema.optional(),
    email: EmailSchema.optional(),
  })
  .superRefine((target, ctx) => {
    if ((target.webhook ? 1 : 0) + (target.email ? 1 : 0) !== 1) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of webhook or email' });
    }
    if (target.email?.smtp.passwordFile && !target.email.smtp.user) {
      ctx.addIssue({ code: 'custom', path: ['email', 'smtp', 'user'], message: 'is needed with passwordFile' });
    }
  });

export const NotifySchema = z
  .array(NotifyTargetSchema)
  .max(16)
  .default([])
  .superRefine((targets, ctx) => {
    const names = new Set<string>();
    targets.forEach((target, index) => {
      const name = targetName(target, index);
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: 'must be unique' });
      names.add(name);
    });
  });

export type NotifyTargetFile = z.infer<typeof NotifyTargetSchema>;

export type WebhookTargetConfig = {
  kind: 'webhook';
  name: string;
  on: readonly NotifyEvent[];
  url: string;
  headers: Record<string, string>;
  secret?: string;
  ca?: string;
};

export type EmailTargetConfig = {
  kind: 'email';
  name: string;
  on: readonly NotifyEvent[];
  to: string[];
  from: string;
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
};

export type NotifyTargetConfig = WebhookTargetConfig | EmailTargetConfig;

export function targetName(target: NotifyTargetFile, index: number): string {
  return target.name ?? `${target.webhook ? 'webhook' : 'email'}-${index + 1}`;
}

/** Reads each target's secret files; `fail` turns a problem into the caller's configuration error. */
export async function resolveNotifyTargets(
  targets: readonly NotifyTargetFile[],
  fail: (message: string) => Error,
): Promise<NotifyTargetConfig[]> {
  const resolved: NotifyTargetConfig[] = [];
  for (const [index, target] of targets.entries()) {
    const name = targetName(target, index);
    const on = target.on ?? DEFAULT_NOTIFY_ON;
    const secret = async (path: string | undefined): Promise<string | undefined> =>
      path === undefined
        ? undefined
        : readTokenFile(path).catch((error: unknown) => {
            throw error instanceof TokenFileError ? fail(`notify target ${name}: ${error.message}`) : error;
          });
    if (target.webhook) {
      const { url, headers, secretFile, caFile } = target.webhook;
      const key = await secret(secretFile);
      const ca = caFile ? await readCa(caFile, name, fail) : undefined;
      resolved.push({
        kind: 'webhook',
        name,
        on,
        url,
        headers: headers ?? {},
        ...(key ? { secret: key } : {}),
        ...(ca ? { ca } : {}),
      });
    } else if (target.email) {
      const { to, from, smtp } = target.email;
      const password = await secret(smtp.passwordFile);
      resolved.push({
        kind: 'email',
        name,
        on,
        to: Array.isArray(to) ? to : [to],
        from,
        smtp: {
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          ...(smtp.user ? { user: smtp.user } : {}),
          ...(password ? { password } : {}),
        },
      });
    }
  }
  return resolved;
}

async function readCa(path: string, name: string, fail: (message: string) => Error): Promise<string> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw fail(`notify target ${name}: cannot read the CA file ${path}: ${error.code ?? error.message}`);
  });
  try {
    new X509Certificate(text);
  } catch {
    throw fail(
      `notify target ${name}: the CA file ${path} holds no PEM certificate: give the certificate (-----BEGIN CERTIFICATE-----) of the CA that signed the receiver's certificate`,
    );
  }
  return text;
}
