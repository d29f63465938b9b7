/**
 * Files in and out of a project: upload from the computer (text becomes an
 * editable Y.Text, anything else is kept whole as a binary file), and the whole
 * project as a zip.
 */
import type * as Y from 'yjs';
import { addBinaryFile, BINARY_MAX_BYTES, listAllFiles, readBinary } from '../../../shared/schema/binary.js';
import { filesOf } from '../../../shared/schema/project.js';
import { formatBytes } from '../lib/format.js';
import { zip } from '../lib/zip.js';
import { createFile, FileOpError, freePath, joinPath } from './files.js';

/** Larger text files would make every keystroke's sync and the editor sluggish. */
export const TEXT_UPLOAD_MAX_BYTES = 1024 * 1024;

export interface UploadResult {
  added: string[];
  errors: string[];
}

/** UTF-8 without NUL characters is text; anything else is binary. */
export function decodeText(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text.includes('\u0000') ? null : text;
  } catch {
    return null;
  }
}

export async function uploadFiles(doc: Y.Doc, files: readonly File[], folder: string): Promise<UploadResult> {
  const result: UploadResult = { added: [], errors: [] };
  for (const file of files) {
    // A folder upload (webkitdirectory) keeps its structure.
    const path = joinPath(folder, file.webkitRelativePath || file.name);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const text = decodeText(bytes);
    const cap = text === null ? BINARY_MAX_BYTES : TEXT_UPLOAD_MAX_BYTES;
    if (bytes.byteLength > cap) {
      const kind = text === null ? 'binary files' : 'text files';
      result.errors.push(`${file.name} is too large: ${kind} are limited to ${formatBytes(cap)}.`);
      continue;
    }
    try {
      if (text !== null) {
        // Every client edits with LF (see OpenDoc).
        result.added.push(createFile(doc, path, text.replace(/\r\n?/g, '\n')));
      } else {
        result.added.push(addBinaryFile(doc, freePath(doc, path), bytes));
      }
    } catch (error) {
      result.errors.push(error instanceof FileOpError ? error.message : `${file.name} could not be added.`);
    }
  }
  return result;
}

/** Every file of the project, text and binary, as one zip. */
export function projectZip(doc: Y.Doc): Uint8Array {
  const encoder = new TextEncoder();
  const entries = listAllFiles(doc).map((file) => {
    if (file.kind === 'binary') return { path: file.path, data: readBinary(doc, file.id)! };
    const entry = filesOf(doc).get(file.id) as Y.Map<unknown>;
    return { path: file.path, data: encoder.encode(String(entry.get('text'))) };
  });
  return zip(entries);
}

export function saveBytes(name: string, bytes: Uint8Array, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
