// Generates the contracts' TypeScript clients from the committed schemas (schema/) with
// @cosmwasm/ts-codegen 1.12.1: CosmJS clients (a query client and a signing client that
// extends it, over @cosmjs/cosmwasm-stargate's CosmWasmClient / SigningCosmWasmClient).
// ts-codegen wants a folder holding only <contract>.json: each schema is copied into a
// scratch folder first. Usage: node codegen.mjs [outDir] (default: src).
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = resolve(process.argv[2] ?? join(here, 'src'));
const CONTRACTS = [
  ['optimistic-rollup', 'OptimisticRollup'],
  ['payment-channels', 'PaymentChannels'],
  ['validity-rollup', 'ValidityRollup'],
];

const tsCodegen = createRequire(import.meta.url)('@cosmwasm/ts-codegen');
const codegen = tsCodegen.default ?? tsCodegen;

const scratch = mkdtempSync(join(tmpdir(), 'settle-codegen-'));
try {
  const contracts = CONTRACTS.map(([dir, name]) => {
    const only = join(scratch, dir);
    mkdirSync(only);
    cpSync(join(root, 'schema', dir, `${dir}.json`), join(only, `${dir}.json`));
    return { name, dir: only };
  });
  rmSync(out, { recursive: true, force: true });
  await codegen({
    contracts,
    outPath: out,
    options: {
      bundle: { enabled: true, bundleFile: 'index.ts', scope: 'contracts' },
      types: { enabled: true },
      client: { enabled: true },
      reactQuery: { enabled: false },
      recoil: { enabled: false },
      messageComposer: { enabled: false },
      messageBuilder: { enabled: false },
      useContractsHook: { enabled: false },
    },
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
