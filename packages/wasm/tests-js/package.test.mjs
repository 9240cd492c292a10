// The package as installed: the `exports` map resolves, and the web and bundler builds
// compute the same values as the node build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { settle, pkgDir } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

/** Values every build must agree on. */
function fingerprint(s) {
  const d = s.domain('test-1', 'rollup');
  const key = s.L2Key.fromLabel('alice');
  const tx = s.signTransfer(key, d, { from: 0, to: 1, amount: '5', nonce: '0' });
  return {
    domain: d,
    pubkey: key.publicKey,
    tx: Buffer.from(tx).toString('hex'),
    root: new s.MerkleTree([tx]).root,
    oz: s.StandardMerkleTree.of([['0x' + '11'.repeat(20), '1']]).root,
  };
}

test('package.json: name, version, exports for node and the browser', () => {
  assert.equal(pkg.name, '@settle/wasm');
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.exports['.'].node.default, './node/settle_wasm.js');
  assert.equal(pkg.exports['.'].browser.default, './web/settle_wasm.js');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['node', 'browser', 'import', 'default']);
  for (const sub of ['./web', './node', './bundler']) assert.ok(pkg.exports[sub], sub);
  assert.deepEqual(pkg.files, ['web/', 'node/', 'bundler/', 'README.md']);
});

test('installed as @settle/wasm, Node resolves the node build (import and require)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'settle-wasm-'));
  try {
    mkdirSync(join(dir, 'node_modules', '@settle'), { recursive: true });
    symlinkSync(pkgDir, join(dir, 'node_modules', '@settle', 'wasm'), 'dir');
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, "export * as settle from '@settle/wasm';\n");
    const require = createRequire(probe);
    assert.match(require.resolve('@settle/wasm'), /node[/\\]settle_wasm\.js$/);
    assert.match(require.resolve('@settle/wasm/web'), /web[/\\]settle_wasm\.js$/);
    assert.match(require.resolve('@settle/wasm/bundler'), /bundler[/\\]settle_wasm\.js$/);
    const { settle: imported } = await import(pathToFileURL(probe).href);
    assert.deepEqual(fingerprint(imported), fingerprint(settle));
    assert.deepEqual(fingerprint(require('@settle/wasm')), fingerprint(settle));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the web build (what browsers load) agrees with the node build', async () => {
  const web = await import(pathToFileURL(join(pkgDir, 'web', 'settle_wasm.js')).href);
  web.initSync({ module: readFileSync(join(pkgDir, 'web', 'settle_wasm_bg.wasm')) });
  assert.deepEqual(fingerprint(web), fingerprint(settle));
  // randomness from the platform (crypto.getRandomValues) in an ES module
  assert.match(web.L2Key.generate().publicKey, /^0[23][0-9a-f]{64}$/);
  assert.throws(() => web.decodeTx(new Uint8Array([0])), { name: 'Error', message: 'input ends inside a value' });
});

test('the bundler build (ES-module WebAssembly) agrees with the node build', () => {
  const entry = pathToFileURL(join(pkgDir, 'bundler', 'settle_wasm.js')).href;
  const script = `
    const s = await import(${JSON.stringify(entry)});
    const d = s.domain('test-1', 'rollup');
    const key = s.L2Key.fromLabel('alice');
    const tx = s.signTransfer(key, d, { from: 0, to: 1, amount: '5', nonce: '0' });
    const random = s.L2Key.generate().publicKey.length;
    console.log(JSON.stringify({ domain: d, tx: Buffer.from(tx).toString('hex'), random }));`;
  const out = execFileSync(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  const { domain, tx } = fingerprint(settle);
  assert.deepEqual(JSON.parse(out), { domain, tx, random: 66 });
});
