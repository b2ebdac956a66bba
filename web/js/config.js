/**
 * Where the API is: `window.HOTICH_API` (set by web/config.js when the pages are served from another
 * origin, e.g. CloudFront in front of S3), otherwise the pages' own origin (`npm start`).
 */
const configured = /** @type {any} */ (window).HOTICH_API;

/** API base URL without a trailing slash; '' means same origin. */
export const apiBase = typeof configured === 'string' ? configured.replace(/\/+$/, '') : '';
