// Vite builds the browser client from client/ into client/dist, which the relay
// serves at / and /r/:roomId. The root is client/ (`vite build client`); the dev
// server's proxy to the relay is set by scripts/start.ts.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  resolve: {
    alias: [
      // y-monaco imports this deep path, which monaco-editor's exports map no longer
      // resolves. Point it at the same module our code imports, so there is one
      // Monaco instance (a second copy would not share models or services).
      {
        find: /^monaco-editor\/esm\/vs\/editor\/editor\.api(\.js)?$/,
        replacement: 'monaco-editor/editor/editor.api.js',
      },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Monaco's core is about 1 MB gzipped; it is loaded only on the room page.
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
});
