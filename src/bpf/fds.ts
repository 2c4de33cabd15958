// Fds a handle owns are closed when the handle is garbage-collected without close().
import { F } from './libbpf.js';

const registry = new FinalizationRegistry<number>((fd) => F.close(fd));

export function closeOnCollect(handle: object, fd: number): void {
  registry.register(handle, fd, handle);
}

/** The handle closed its fd itself. */
export function forget(handle: object): void {
  registry.unregister(handle);
}
