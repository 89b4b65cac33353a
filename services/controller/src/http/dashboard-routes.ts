/**
 * The browser dashboard (docs/dashboard.md): static files built into services/dashboard/dist,
 * served without a token (they hold no data: every figure comes from the /api/v1 routes, which
 * need it), under a Content-Security-Policy that allows nothing but this origin's own script,
 * style and API: no inline code, no eval, no framing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';

/** The page's paths; each answers with the same index.html, and the page shows the view the path names. */
export const DASHBOARD_PAGES = ['/', '/runs', '/runs/:id', '/media', '/actions'] as const;

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `npm run build` puts the dashboard: services/dashboard/dist, beside this package in the
 * repository and in the container image alike (this file runs from src/http or dist/http).
 */
export function builtDashboardRoot(): string {
  return fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
};

export function dashboardRoutes(root: string | undefined): Router {
  const router = Router();
  const index = root ? join(root, 'index.html') : undefined;
  const page: RequestHandler = (_req, res) => {
    if (!index || !existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The dashboard is not built: run npm run build, then reload. The API at /api/v1 works without it.\n');
      return;
    }
    res.sendFile(index);
  };
  for (const path of DASHBOARD_PAGES) router.get(path, securityHeaders, page);
  if (root) {
    router.use(
      '/assets',
      securityHeaders,
      express.static(join(root, 'assets'), { index: false, redirect: false, dotfiles: 'deny', fallthrough: false }),
    );
  }
  return router;
}
