import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Two pages: the app, and one that imports the package without using it (nothing may be
// fetched or defined on import).
export default defineConfig({
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        lazy: resolve(import.meta.dirname, 'lazy.html'),
      },
    },
  },
});
