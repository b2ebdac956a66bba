/**
 * Names of zip entries: decoding (UTF-8 flag, Info-ZIP Unicode path field, CP437 fallback with UTF-8
 * recovery), path safety, entry type from the external attributes, and the key names are compared by.
 */
import { getFileNameLowLevel } from 'yauzl';
import type { Entry } from './zip-reader.js';
import { BIDI_CONTROLS } from '../unicode.js';

export type NameEncoding = 'ascii' | 'utf8-flag' | 'unicode-extra-field' | 'utf8-recovered' | 'cp437';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The entry's name as text. The zip spec says: UTF-8 when general-purpose bit 11 is set, or the UTF-8
 * copy in an Info-ZIP Unicode Path field (0x7075) whose CRC matches, else CP437. Many tools (older
 * Windows "Send to › Compressed folder", some scanners' software) write UTF-8 bytes without setting
 * the flag, so a Vietnamese name would come out as CP437 mojibake ("Nguyß╗àn"). DECISION: when the
 * flag is absent and the raw bytes are valid UTF-8 (and not plain ASCII), read them as UTF-8; genuine
 * CP437 text with accents is almost never valid UTF-8, so the recovery does not misread real CP437.
 * Bytes that are neither stay CP437 (flagged `cp437`: the name is probably wrong and will not link).
 */
export function decodeEntryName(entry: Entry): { name: string; encoding: NameEncoding } {
  // With decodeStrings: false yauzl hands over the raw bytes.
  const raw = entry.fileNameRaw;
  if ((entry.generalPurposeBitFlag & 0x800) !== 0) return { name: raw.toString('utf8'), encoding: 'utf8-flag' };
  // Strict mode keeps backslashes as they are, so the path check below sees them.
  const withExtra = getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
  const plain = getFileNameLowLevel(entry.generalPurposeBitFlag, raw, [], true);
  if (withExtra !== plain) return { name: withExtra, encoding: 'unicode-extra-field' };
  if (raw.every((b) => b < 0x80)) return { name: plain, encoding: 'ascii' };
  try {
    return { name: utf8.decode(raw), encoding: 'utf8-recovered' };
  } catch {
    return { name: plain, encoding: 'cp437' };
  }
}

export type PathVerdict = { ok: true; baseName: string; isDirectory: boolean } | { ok: false; reason: 'PATH_TRAVERSAL' | 'UNSAFE_NAME'; detail: string };

/**
 * Refuses any name that could point outside an extraction folder, even though nothing is ever extracted
 * to disk: such names only come from hostile or broken tools. Backslashes are refused rather than
 * read as separators (a "..\\x" would otherwise become a traversal on Windows tools downstream).
 */
export function checkEntryPath(name: string): PathVerdict {
  if (name.includes('\\')) return { ok: false, reason: 'PATH_TRAVERSAL', detail: 'backslash in name' };
  if (name.startsWith('/')) return { ok: false, reason: 'PATH_TRAVERSAL', detail: 'absolute path' };
  if (/^[a-zA-Z]:/.test(name)) return { ok: false, reason: 'PATH_TRAVERSAL', detail: 'drive letter' };
  const segments = name.split('/');
  if (segments.includes('..')) return { ok: false, reason: 'PATH_TRAVERSAL', detail: '".." segment' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(name)) return { ok: false, reason: 'UNSAFE_NAME', detail: 'control character in name' };
  // Bidirectional controls make "1-2018\u202Efdp.exe.pdf" display as "1-2018fdp.exe.pdf" reversed: a name that lies.
  if (BIDI_CONTROLS.test(name)) return { ok: false, reason: 'UNSAFE_NAME', detail: 'bidirectional control character in name' };
  const isDirectory = name.endsWith('/');
  const baseName = isDirectory ? '' : segments[segments.length - 1]!;
  if (!isDirectory && (baseName.trim() === '' || baseName === '.')) return { ok: false, reason: 'UNSAFE_NAME', detail: 'empty file name' };
  return { ok: true, baseName, isDirectory };
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'special';

/**
 * The entry's type from the Unix mode in the high 16 bits of the external attributes (set by Info-ZIP,
 * macOS, yazl…). A mode of 0 (Windows tools) means a regular file, or a directory when the name ends in "/".
 */
export function entryKind(entry: Entry, name: string): EntryKind {
  const type = (entry.externalFileAttributes >>> 16) & 0o170000;
  if (type === 0o120000) return 'symlink';
  if (type === 0o040000 || name.endsWith('/')) return 'directory';
  if (type === 0 || type === 0o100000) return 'file';
  return 'special';
}

/** Files that operating systems add to archives on their own (macOS resource forks, Finder and Explorer caches). */
export function isSystemFile(name: string): boolean {
  const segments = name.split('/');
  const base = segments[segments.length - 1]!;
  return segments.includes('__MACOSX') || base.startsWith('._') || ['.ds_store', 'thumbs.db', 'desktop.ini'].includes(base.toLowerCase());
}

/** What names are compared by: NFC (macOS writes NFD) and lower case (Windows file names ignore case). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

const archiveExtensions = ['.zip', '.zipx', '.rar', '.7z', '.tar', '.gz', '.tgz', '.bz2', '.xz', '.cab'];

export function hasArchiveExtension(name: string): boolean {
  const n = name.toLowerCase();
  return archiveExtensions.some((e) => n.endsWith(e));
}

export function hasPdfExtension(name: string): boolean {
  return name.toLowerCase().endsWith('.pdf');
}
