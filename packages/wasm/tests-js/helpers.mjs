// Shared by the Node tests of the built package (`cargo xtask npm` first).
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const here = dirname(fileURLToPath(import.meta.url));
export const pkgDir = join(here, '..', 'pkg');
export const repoRoot = join(here, '..', '..', '..');

/** The package as Node loads it (the CommonJS `node` build). */
export const settle = createRequire(import.meta.url)(join(pkgDir, 'node', 'settle_wasm.js'));

/** `@openzeppelin/merkle-tree` from tests/interop (installed with `npm ci` when missing). */
export function openZeppelin() {
  const interop = join(repoRoot, 'tests', 'interop');
  if (!existsSync(join(interop, 'node_modules'))) {
    execFileSync('npm', ['ci', '--silent', '--no-audit', '--no-fund'], { cwd: interop, stdio: 'inherit' });
  }
  return createRequire(join(interop, 'package.json'))('@openzeppelin/merkle-tree');
}

/** mulberry32: a tiny seedable PRNG (the one tests/interop uses). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomHex = (rand, bytes) =>
  Array.from({ length: bytes }, () => Math.floor(rand() * 256).toString(16).padStart(2, '0')).join('');

/** The committed JSON schema of the optimistic-rollup contract. */
export const contractSchema = JSON.parse(
  readFileSync(join(repoRoot, 'schema', 'optimistic-rollup', 'optimistic-rollup.json'), 'utf8'),
);

/**
 * Checks `value` against a JSON schema (the subset cosmwasm-schema emits: $ref, allOf,
 * anyOf, oneOf, type, required, properties, additionalProperties: false, minimum).
 * Returns the list of problems (empty when it conforms).
 */
export function schemaProblems(schema, value, root = schema, path = '$') {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    return schemaProblems(root.definitions[name], value, root, path);
  }
  const problems = [];
  for (const sub of schema.allOf ?? []) problems.push(...schemaProblems(sub, value, root, path));
  if (schema.anyOf && !schema.anyOf.some(s => schemaProblems(s, value, root, path).length === 0)) {
    problems.push(`${path}: matches none of anyOf`);
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter(s => schemaProblems(s, value, root, path).length === 0);
    if (matching.length !== 1) problems.push(`${path}: matches ${matching.length} of oneOf`);
  }
  if (schema.type) {
    const types = [schema.type].flat();
    const actual =
      value === null ? 'null'
      : Array.isArray(value) ? 'array'
      : Number.isInteger(value) ? 'integer'
      : typeof value;
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      problems.push(`${path}: ${actual}, expected ${types.join('|')}`);
    }
  }
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) {
    problems.push(`${path}: below ${schema.minimum}`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in value)) problems.push(`${path}: missing ${key}`);
    }
    for (const [key, v] of Object.entries(value)) {
      const sub = schema.properties?.[key];
      if (sub) problems.push(...schemaProblems(sub, v, root, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected ${key}`);
    }
  }
  return problems;
}

/** Asserts that a message is a valid `ExecuteMsg` of the contract. */
export function isExecuteMsg(msg) {
  // JSON round trip: what a wallet actually sends.
  return schemaProblems(contractSchema.execute, JSON.parse(JSON.stringify(msg)));
}

/** Hex bytes as a contract message carries them (`Binary`: base64). */
export const b64 = hex => Buffer.from(hex.replace(/^0x/, ''), 'hex').toString('base64');
