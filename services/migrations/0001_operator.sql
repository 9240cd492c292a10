-- The operator's L2 transactions: every one submitted is here until it is in a posted
-- batch or refused with a reason (never dropped).
CREATE TABLE l2_txs (
    -- keccak-256 of the signed transaction's encoding, hex
    hash TEXT PRIMARY KEY NOT NULL,
    -- settle-core SignedTx encoding
    bytes BLOB NOT NULL,
    account INTEGER NOT NULL,
    nonce INTEGER NOT NULL,
    -- 'pending' | 'posted' | 'refused'
    status TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'refused')),
    -- the batch index once posted
    batch INTEGER,
    -- why it was refused
    reason TEXT,
    -- unix seconds
    submitted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((status = 'posted') = (batch IS NOT NULL)),
    CHECK ((status = 'refused') = (reason IS NOT NULL))
);
CREATE INDEX l2_txs_pending ON l2_txs (status, submitted_at);

-- Small facts the operator keeps between runs (an in-flight post's chain tx hash...).
CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
