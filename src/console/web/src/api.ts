// Requests to the console's server: JSON both ways, the session's CSRF token on every
// change, and a way back to the login page when the session is gone.
import type { Session } from './types.js';

/** A refusal with what the server said: the message and, for a change, the fields at fault. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly fields: { field: string; message: string }[] = []) {
    super(message);
  }
}

let csrfToken = '';

export function setCsrfToken(t: string): void {
  csrfToken = t;
}

/** Called when a request finds no session (401): the app shows why and offers the login page. */
let onLoggedOut: (why: string) => void = () => { location.href = '/login'; };
export function whenLoggedOut(f: (why: string) => void): void {
  onLoggedOut = f;
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json', 'x-csrf-token': csrfToken } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  let data: { error?: string; fields?: { field: string; message: string }[] } & Record<string, unknown> = {};
  try {
    data = await res.json();
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  if (res.status === 401) {
    onLoggedOut(data.error ?? 'not logged in');
    throw new ApiError(401, data.error ?? 'not logged in');
  }
  if (!res.ok) throw new ApiError(res.status, data.error ?? `${res.status} ${res.statusText}`, data.fields ?? []);
  return data as T;
}

export const getSession = () => api<Session>('GET', '/api/session');
