// The one place the page loads @settle/wasm: the package's `--target web` build, imported
// from the repository (packages/wasm/pkg/web, written by `cargo xtask npm`). Vite sees
// the build's `new URL("settle_wasm_bg.wasm", import.meta.url)` and emits the .wasm as an
// asset of its own next to the bundle.
import init, * as settle from '../../packages/wasm/pkg/web/settle_wasm.js';

export * from '../../packages/wasm/pkg/web/settle_wasm.js';
export type Settle = typeof settle;

let loading: Promise<Settle> | undefined;

/** Fetches and instantiates the .wasm once; resolves to the package's exports. */
export function loadSettle(): Promise<Settle> {
  loading ??= init().then(() => settle);
  return loading;
}
