import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web page is a plain TypeScript app served by the API itself at `/`. Relative asset paths
 * let it live under any prefix; the server's CSP allows only same-origin scripts and styles, so
 * nothing is inlined and nothing is fetched from another host.
 */
export default defineConfig({
  root: here,
  base: './',
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
