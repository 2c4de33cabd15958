// The console's front end: Preact pages built into build/web at `make build` and served by
// `ipvx console` itself (src/console/server.ts): everything it needs is in that folder.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../../../build/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    // The whole console is small; one chunk per page entry is what a director should serve.
    chunkSizeWarningLimit: 600,
    rollupOptions: { input: { index: here('index.html'), login: here('login.html') } },
  },
});
