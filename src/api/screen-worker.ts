// The worker thread of RequestScreen (screen.ts): decodes a large request and checks it
// as the main thread would (shape, then validation of what the request holds by itself),
// and answers with the refusal's message or nothing. Pure work, no I/O.
import { parentPort, workerData } from 'node:worker_threads';
import { IpvxService, stateFromMsg, serviceFromMsg, realFromMsg } from './proto.js';
import { validateState, type Limits } from '../core/validate.js';
import { emptyState } from '../core/model.js';
import { formatErrors, type FieldError, type Result } from '../core/result.js';
import { SCREEN_THREAD_NICE, type ScreenAnswer, type ScreenJob } from './screen.js';
import { setThreadNice } from '../common/thread-priority.js';

// After the main thread's answers and the heartbeats: this thread only delays the request it screens.
setThreadNice(SCREEN_THREAD_NICE);

const limits = workerData as Limits | undefined;
const def = IpvxService.service as unknown as Record<string, { requestDeserialize: (b: Buffer) => Record<string, unknown> }>;

/** The errors of `r`, renamed by `rename`. */
const errors = <T>(r: Result<T>, rename: (f: string) => string = (f) => f): FieldError[] => (r.ok ? [] : r.errors.map((e) => ({ ...e, field: rename(e.field) })));

function screen(method: string, bytes: Buffer): FieldError[] {
  const req = def[method]!.requestDeserialize(bytes);
  switch (method) {
    case 'ApplyConfig': {
      if (req.state) delete (req.state as Record<string, unknown>).serial;
      const s = stateFromMsg(req.state as Record<string, unknown>);
      if (!s.ok) return s.errors;
      return errors(validateState(s.value, limits), (f) => `state.${f}`);
    }
    case 'AddService': case 'UpdateService': {
      const s = serviceFromMsg(req.service as Record<string, unknown>);
      if (!s.ok) return s.errors;
      // UpdateService keeps the service's reals (edit.editService): the request's are not judged.
      const service = method === 'UpdateService' ? { ...s.value, reals: [] } : s.value;
      // The service on its own, as the main thread names its fields.
      return errors(validateState({ ...emptyState(), services: [service] }, limits), (f) => f.replace(/^services\[0\]/, 'service'));
    }
    default: {
      const r = realFromMsg(req.real as Record<string, unknown>);
      return r.ok ? [] : r.errors;
    }
  }
}

parentPort!.on('message', (job: ScreenJob) => {
  let answer: ScreenAnswer;
  try {
    const found = screen(job.method, Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength));
    answer = { id: job.id, ...(found.length ? { refusal: formatErrors(found) } : {}) };
  } catch (e) {
    // Not ours to judge (a decoding problem): the main thread meets it and answers as before.
    answer = { id: job.id, error: (e as Error).message };
  }
  parentPort!.postMessage(answer);
});
