// Players' files (seed flow B) from the browser: the file is hashed here (Web Crypto), declared
// to the server (POST /api/assets/presign), sent straight to the object store with the signed
// URL and headers the server answered (XMLHttpRequest, for the upload's progress), then checked
// by the server (POST /api/assets/{id}/complete). The bytes never pass through the game server
// unless it is the store itself (the embedded profile).
import { api, ApiError } from './api.js';

/** What the server accepts, mirrored to tell the player before anything is sent. */
export const PORTRAIT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
export const PORTRAIT_MAX_BYTES = 5 * 1024 * 1024;

/** The SHA-256 of a Blob as 64 lowercase hex digits. */
export async function sha256Hex(blob) {
  if (!globalThis.crypto || !crypto.subtle) {
    throw new Error('this page cannot hash files: open the game over HTTPS (or on localhost)');
  }
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** "1.4 MB" */
export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * PUTs the blob to the signed URL with exactly the signed headers, reporting progress as
 * (sent, total). Resolves when the store took it; rejects with the store's reason.
 */
function put(upload, blob, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable) onProgress(ev.loaded, ev.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(blob.size, blob.size);
        resolve();
        return;
      }
      let why = `the file store refused the upload (HTTP ${xhr.status})`;
      const type = xhr.getResponseHeader('Content-Type') || '';
      if (type.includes('json')) {
        try {
          const p = JSON.parse(xhr.responseText);
          if (p.detail) why = `the upload was refused: ${p.detail}`;
        } catch {
          // keep the status
        }
      }
      reject(new Error(why));
    };
    xhr.onerror = () => reject(new Error('the upload did not reach the file store; check your connection and try again'));
    xhr.send(blob);
  });
}

/**
 * Uploads a blob for a purpose and answers the READY asset (with its download url).
 * onStep(text) says what is happening; onProgress(sent, total) follows the bytes.
 */
export async function uploadAsset(blob, { bucket, purpose, contentType }, { onStep = () => {}, onProgress = () => {} } = {}) {
  onStep('Checking the file…');
  const sha256 = await sha256Hex(blob);
  onStep('Asking where to send it…');
  const upload = await api('POST', '/api/assets/presign', { bucket, purpose, contentType, size: blob.size, sha256 });
  if (upload.status === 'READY') { // the same file was uploaded before: nothing to send
    onProgress(blob.size, blob.size);
    return api('GET', `/api/assets/${upload.assetId}`);
  }
  onStep('Uploading…');
  await put(upload, blob, onProgress);
  onStep('Checking the upload…');
  return api('POST', `/api/assets/${upload.assetId}/complete`);
}

/** The player's portraits by character id (an empty map if they cannot be loaded: pictures are optional). */
export async function portraitsByCharacter() {
  try {
    const list = await api('GET', '/api/portraits');
    return new Map(list.items.map((p) => [p.characterId, p]));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    return new Map();
  }
}
