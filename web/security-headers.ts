/**
 * Response headers for patient pages. The page's address holds the patient's
 * one-time token, so nothing may carry it elsewhere: no Referer to anyone, no
 * copy in a shared or browser cache, no search index. The pages need no
 * JavaScript, so the policy allows none, and styles and images from our own
 * origin only. 'self' is an origin, whatever the path: behind a reverse proxy
 * that serves the pages under a path prefix, the prefixed stylesheet, images
 * and form actions are on the page's own origin and allowed.
 */
import type { RequestHandler } from 'express';

export const PATIENT_PAGE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const patientPageHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': PATIENT_PAGE_CSP,
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    // For browsers that predate frame-ancestors: the page must not be framed (clickjacking the Confirm button).
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  next();
};
