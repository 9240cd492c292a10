import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Relative asset URLs: dist/ works from any folder or static server.
  base: './',
  server: {
    // The page imports the package (../packages/wasm/pkg/web) and the contract's schema
    // (../schema) from the repository, outside web/.
    fs: { allow: [here('..')] },
  },
  // The proving worker (src/zk-worker.ts) is an ES module: it imports the package, whose
  // .wasm is an asset like the page's.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The .wasm is an asset of its own (never inlined as base64).
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        main: here('index.html'),
        parity: here('parity.html'),
      },
    },
  },
});
