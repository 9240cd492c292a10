import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The parity runner the page uses (src/parity.ts), bundled for Node, so the very same
// checks also run against the package's Node build (tests/parity-node.mjs).
export default defineConfig({
  build: {
    ssr: fileURLToPath(new URL('src/parity.ts', import.meta.url)),
    outDir: 'dist-node',
    emptyOutDir: true,
    target: 'node20',
  },
});
