/**
 * An email target: the subject names the action, the device and the error code; the body
 * holds the summary and the advice, sent through the configured SMTP server by nodemailer.
 */
import nodemailer from 'nodemailer';
import type { EmailTargetConfig } from '../config/notify-config.js';
import type { RunReport } from './run-report.js';

/** An SMTP server that neither answers nor fails is given up on for this attempt (it is retried). */
const SMTP_TIMEOUT_MS = 15_000;

export function emailText(report: RunReport): string {
  return `${report.summary}\n\nWhat to do: ${report.advice}\n`;
}

export async function sendEmail(target: EmailTargetConfig, report: RunReport): Promise<void> {
  const { host, port, secure, user, password } = target.smtp;
  const transport = nodemailer.createTransport({
    host,
    port,
    secure,
    ...(user ? { auth: { user, pass: password ?? '' } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    // nodemailer's own logger stays off: it would write the SMTP dialogue, credentials included.
    logger: false,
  });
  try {
    await transport.sendMail({ from: target.from, to: target.to, subject: report.subject, text: emailText(report) });
  } finally {
    transport.close();
  }
}
