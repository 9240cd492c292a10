// Payment channels through the built package: states round-trip through their encoding,
// both signatures verify, tampering fails with the core's message, payouts conserve the
// funding (and the watchtower fee is capped), and the contract messages carry the
// contract's SignedState, the counterparty's join, revocations and watchtower authorisations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, prng, b64 } from './helpers.mjs';

const domain = settle.channelDomain('test-1', 'wasm1channels');
const ka = settle.L2Key.fromLabel('channel-a');
const kb = settle.L2Key.fromLabel('channel-b');
const preimage = '07'.repeat(32);

const state = {
  channelId: 4,
  version: '12',
  funded: ['1000000', '250000'],
  balances: ['600000', '450000'],
  htlcs: [
    { amount: '150000', paymentHash: settle.paymentHash(preimage), timeout: '1700000000', payer: 'a' },
    { amount: '50000', paymentHash: settle.paymentHash('08'.repeat(32)), timeout: '1700003600', payer: 'b' },
  ],
  isFinal: false,
};

function signedBy(s) {
  return { a: settle.signChannelState(ka, domain, s), b: settle.signChannelState(kb, domain, s) };
}

function verify(s, sig, funding = ['1000000', '250000'], channelId = 4) {
  return settle.verifyChannelState({
    domain,
    state: s,
    pubkeyA: ka.publicKey,
    pubkeyB: kb.publicKey,
    signatureA: sig.a,
    signatureB: sig.b,
    channelId,
    funding,
  });
}

test('a state round-trips through its encoding', () => {
  const bytes = settle.encodeChannelState(state);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(bytes.length, 8 + 8 + 64 + 1 + 2 * 57 + 1);
  assert.deepEqual(settle.decodeChannelState(bytes), state);
  assert.deepEqual(settle.encodeChannelState(bytes), bytes);
  assert.deepEqual(settle.encodeChannelState(Buffer.from(bytes).toString('hex')), bytes);
  // bigints and numbers are read as well; htlcs and isFinal may be left out
  const plain = settle.decodeChannelState(
    settle.encodeChannelState({ channelId: 1, version: 2n, funded: [10, 0n], balances: ['10', 0] }),
  );
  assert.deepEqual(plain, { channelId: 1, version: '2', funded: ['10', '0'], balances: ['10', '0'], htlcs: [], isFinal: false });
  assert.equal(
    settle.channelSigningHash(domain, state),
    settle.channelSigningHash(domain, bytes),
  );
  assert.throws(() => settle.decodeChannelState(bytes.slice(1)), { message: 'malformed channel state: 195 bytes for 0 HTLCs, expected 82' });
});

test('both signatures verify; tampering fails with the core message', () => {
  const sig = signedBy(state);
  assert.match(sig.a, /^[0-9a-f]{128}$/);
  // RFC 6979: deterministic
  assert.equal(settle.signChannelState(ka, domain, state), sig.a);
  assert.deepEqual(verify(state, sig), { valid: true });
  assert.deepEqual(verify(settle.encodeChannelState(state), sig), { valid: true });
  // a later top-up does not invalidate the state
  assert.deepEqual(verify(state, sig, ['1000000', '900000']), { valid: true });

  const bad = (reason) => ({ valid: false, reason });
  assert.deepEqual(verify({ ...state, version: '13' }, sig), bad('bad signature of party a on the channel state'));
  assert.deepEqual(verify(state, { a: sig.a, b: sig.a }), bad('bad signature of party b on the channel state'));
  assert.deepEqual(verify(state, { a: sig.b, b: sig.a }), bad('bad signature of party a on the channel state'));
  const moved = { ...state, balances: ['500000', '550000'] };
  assert.deepEqual(verify(moved, sig), bad('bad signature of party a on the channel state'));
  assert.deepEqual(verify(state, sig, ['1000000', '200000']), bad("the state allocates 250000 of party b's funding, which holds 200000"));
  assert.deepEqual(verify(state, sig, undefined, 5), bad('state of channel 4 offered to channel 5'));
  const other = settle.channelDomain('test-1', 'wasm1other');
  assert.deepEqual(
    verify(state, { a: settle.signChannelState(ka, other, state), b: sig.b }),
    bad('bad signature of party a on the channel state'),
  );
  const bytes = settle.encodeChannelState(state);
  assert.deepEqual(verify(bytes.slice(0, 10), sig), bad('malformed channel state: 10 bytes is too short'));

  // states the contract can never accept are not signed
  assert.throws(() => settle.signChannelState(ka, domain, { ...state, balances: ['600001', '450000'] }), {
    message: 'the state allocates 1250001, its funding is 1250000',
  });
  assert.throws(() => settle.signChannelState(ka, domain, { ...state, isFinal: true }), {
    message: 'a final state carries no HTLCs, this one has 2',
  });
  const zero = { ...state, htlcs: [{ ...state.htlcs[0], amount: '0' }], balances: ['750000', '500000'] };
  assert.throws(() => settle.signChannelState(ka, domain, zero), { message: 'HTLC 0 has a zero amount' });
  assert.throws(() => settle.paymentHash('00'.repeat(31)), /31/);
});

test('payouts conserve the funding', () => {
  const rand = prng(5);
  const rules = [
    [10000, 0],
    [10000, 1000],
    [3333, 777],
    [0, 5000],
  ];
  for (let i = 0; i < 200; i++) {
    const fa = BigInt(Math.floor(rand() * 1e9));
    const fb = BigInt(Math.floor(rand() * 1e9));
    const total = fa + fb;
    const htlc = (total * BigInt(Math.floor(rand() * 100))) / 100n;
    const a = ((total - htlc) * BigInt(Math.floor(rand() * 100))) / 100n;
    const s = {
      channelId: 1,
      version: String(i),
      funded: [String(fa), String(fb)],
      balances: [String(a), String(total - htlc - a)],
      htlcs: htlc > 0n ? [{ amount: String(htlc), paymentHash: '11'.repeat(32), timeout: '9', payer: 'b' }] : [],
    };
    const topUp = [BigInt(Math.floor(rand() * 1000)), BigInt(Math.floor(rand() * 1000))];
    const funding = [String(fa + topUp[0]), String(fb + topUp[1])];
    const closer = ['a', 'b'][i % 2];
    const stale = i % 3 === 0 ? null : { closer, byWatchtower: i % 3 === 2 };
    const [penaltyShareBps, watchtowerFeeBps] = rules[i % rules.length];
    const p = settle.channelPayout({ state: s, funding, stale, penaltyShareBps, watchtowerFeeBps });
    const sum = BigInt(p.parties[0]) + BigInt(p.parties[1]) + BigInt(p.watchtower) + BigInt(p.htlcs);
    assert.equal(sum, total + topUp[0] + topUp[1], JSON.stringify({ s, funding, stale, p }));
    assert.equal(p.htlcs, String(htlc));
    if (!stale?.byWatchtower) assert.equal(p.watchtower, '0');
  }
  // the contract's config response names the rules so; defaults: all forfeited, no fee
  const p = settle.channelPayout({ state, funding: ['1000000', '250000'], stale: { closer: 'a', byWatchtower: true }, watchtower_fee_bps: 1000 });
  assert.deepEqual(p, { parties: ['0', '990000'], watchtower: '60000', htlcs: '200000' });
  assert.throws(() => settle.channelPayout({ state, funding: ['1000000', '250000'], penaltyShareBps: 10001 }), {
    message: 'malformed penalty rules: penalty share of 10001 basis points is more than 10000',
  });
  // a watchtower earns at most half of a forfeit
  assert.throws(() => settle.channelPayout({ state, funding: ['1000000', '250000'], watchtowerFeeBps: 5001 }), {
    message: 'malformed penalty rules: watchtower fee of 5001 basis points is more than 5000',
  });
});

test("the contract's messages", () => {
  const sig = signedBy(state);
  const signed = settle.signedState(state, sig.a, sig.b);
  assert.deepEqual(signed, {
    state: Buffer.from(settle.encodeChannelState(state)).toString('base64'),
    signature_a: b64(sig.a),
    signature_b: b64(sig.b),
  });
  assert.deepEqual(settle.signedState(settle.encodeChannelState(state), sig.a, sig.b), signed);
  assert.deepEqual(
    settle.openChannelMsg({ counterparty: 'wasm1bob', pubkeyA: ka.publicKey, pubkeyB: kb.publicKey, disputeWindow: 3600, joinWindow: 600 }),
    { open: { counterparty: 'wasm1bob', pubkey_a: b64(ka.publicKey), pubkey_b: b64(kb.publicKey), dispute_window: 3600, join_window: 600 } },
  );
  assert.throws(
    () => settle.openChannelMsg({ counterparty: 'wasm1bob', pubkeyA: '02' + '00'.repeat(32), pubkeyB: kb.publicKey, disputeWindow: 1, joinWindow: 1 }),
    /party a is not a compressed secp256k1 point/,
  );
  assert.throws(
    () => settle.openChannelMsg({ counterparty: 'wasm1bob', pubkeyA: ka.publicKey, pubkeyB: ka.publicKey, disputeWindow: 1, joinWindow: 1 }),
    { message: 'both parties of a channel have the same key: each needs its own' },
  );
  assert.throws(
    () => settle.openChannelMsg({ counterparty: 'wasm1bob', pubkeyA: ka.publicKey, pubkeyB: kb.publicKey, disputeWindow: 1, joinWindow: 0 }),
    { message: 'the join window must be 1..=2592000 seconds, got 0' },
  );
  // bob joins with his own key; alice's key cannot sign his join
  const join = { domain, channelId: 4, counterparty: 'wasm1bob', pubkeyA: ka.publicKey, pubkeyB: kb.publicKey };
  const joinSig = settle.signChannelJoin(kb, join);
  assert.match(joinSig, /^[0-9a-f]{128}$/);
  assert.match(settle.channelJoinHash(join), /^[0-9a-f]{64}$/);
  assert.throws(() => settle.signChannelJoin(ka, join), /bad join signature/);
  assert.deepEqual(settle.joinChannelMsg(4, joinSig), { join: { channel: 4, signature: b64(joinSig) } });
  assert.deepEqual(settle.reclaimChannelMsg(4), { reclaim: { channel: 4 } });
  // alice revokes version 11 once she holds 12 with both signatures; bob authorises a watchtower
  const revocation = settle.revokeChannelState(ka, domain, 4, '11');
  assert.equal(revocation.version, 11);
  // the contract's `Revocation`: the 64-byte signature in base64
  assert.match(revocation.signature, /^[A-Za-z0-9+/]{86}==$/);
  assert.match(settle.channelRevocationHash(domain, 4, 11n), /^[0-9a-f]{64}$/);
  const authorisation = settle.authoriseWatchtower(kb, domain, 4, 'wasm1tower');
  assert.match(settle.channelWatchtowerHash(domain, 4, 'wasm1tower'), /^[0-9a-f]{64}$/);
  assert.deepEqual(
    settle.disputeChannelMsg(4, signed, { revocation, authorisation }),
    { dispute: { channel: 4, signed, revocation, authorisation: b64(authorisation) } },
  );
  // as the contract's own JSON: a missing option is `null`
  assert.deepEqual(settle.disputeChannelMsg(4, null, { revocation }), { dispute: { channel: 4, signed: null, revocation, authorisation: null } });
  assert.throws(() => settle.disputeChannelMsg(4, null), {
    message: 'the dispute brings neither a newer state nor a new proof of a stale close',
  });
  assert.deepEqual(
    settle.checkCloseQuery(4, 'wasm1tower', null, { revocation, authorisation }),
    { check_close: { channel: 4, sender: 'wasm1tower', signed: null, revocation, authorisation: b64(authorisation) } },
  );
  assert.deepEqual(settle.fundChannelMsg(4), { fund: { channel: 4 } });
  assert.deepEqual(settle.cooperativeCloseMsg(4, signed), { cooperative_close: { channel: 4, signed } });
  assert.deepEqual(settle.closeChannelMsg(4, signed), { close: { channel: 4, signed } });
  assert.deepEqual(settle.disputeChannelMsg(4, signed), { dispute: { channel: 4, signed, revocation: null, authorisation: null } });
  assert.deepEqual(settle.settleChannelMsg(4), { settle: { channel: 4 } });
  assert.deepEqual(settle.revealPreimageMsg(preimage), { reveal_preimage: { preimage: b64(preimage) } });
  assert.deepEqual(settle.settleHtlcMsg(4, 1), { settle_htlc: { channel: 4, htlc: 1 } });
  assert.deepEqual(settle.checkCloseQuery(4, 'wasm1alice', signed), { check_close: { channel: 4, sender: 'wasm1alice', signed, revocation: null, authorisation: null } });
  assert.throws(() => settle.closeChannelMsg(4, { ...signed, state: 'AAEC' }), { message: 'malformed channel state: 3 bytes is too short' });
  assert.throws(() => settle.signedState(state, sig.a.slice(2), sig.b), /signature of party a/);
  assert.throws(() => settle.revealPreimageMsg('00'), /preimage/);
});
