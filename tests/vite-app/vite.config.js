import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Pages: the TypeScript app, one that imports the package without using it (nothing may be
// fetched or defined on import), React 19, Vue 3, Svelte 5, and a page served under a strict CSP.
const pages = ['index', 'lazy', 'react', 'vue', 'svelte', 'csp'];

export default defineConfig({
  plugins: [
    react(),
    // Vue must be told that <customer-form> is a custom element, not a Vue component.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'customer-form' } } }),
    svelte(),
  ],
  build: {
    target: 'es2022',
    rollupOptions: {
      input: Object.fromEntries(pages.map((page) => [page, resolve(import.meta.dirname, `${page}.html`)])),
    },
  },
});
