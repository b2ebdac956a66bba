/**
 * Unicode characters that make text display otherwise than it is stored: the bidirectional controls
 * (LRM/RLM, embeddings, overrides, isolates). "so\u202Eexe.xlsx" shows as "soxslx.exe", a name typed as
 * "Nguyễn \u202Ena Vnăv" shows reversed. No civil-status value or file name needs them.
 */
export const BIDI_CONTROL_RANGE = '\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069';

/** Matches any bidirectional control character. */
export const BIDI_CONTROLS = new RegExp(`[${BIDI_CONTROL_RANGE}]`);
