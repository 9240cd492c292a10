-- The watchtower's state (`settle watchtower`). The chain is the truth; these tables hold
-- what clients handed in and what the watchtower sent, so that a restart acts at once
-- and never sends the same dispute twice.

-- Per guarded channel: the newest co-signed state a client handed in, the other party's
-- newest revocation it holds, and the client's authorisation of this watchtower.
CREATE TABLE watchtower_channels (
    channel INTEGER PRIMARY KEY NOT NULL,
    -- the client's side: 'a' | 'b' (whose authorisation verified)
    party TEXT NOT NULL CHECK (party IN ('a', 'b')),
    -- the newest state's version and its SignedState (the contract's JSON)
    version INTEGER NOT NULL,
    signed TEXT NOT NULL,
    -- the other party's revocation (version and 64-byte signature, hex), if any
    revoked_version INTEGER,
    revocation TEXT,
    -- the client's 64-byte signature over watchtower_hash(domain, channel, this address), hex
    authorisation TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((revoked_version IS NULL) = (revocation IS NULL))
);

-- Every dispute sent, keyed by the close it answers as the chain showed it when sent
-- (closed version, version closing now, proven stale): the same key twice is the same
-- dispute twice. Recorded before the broadcast.
CREATE TABLE watchtower_disputes (
    channel INTEGER NOT NULL,
    closed_version INTEGER NOT NULL,
    closing_version INTEGER NOT NULL,
    stale INTEGER NOT NULL CHECK (stale IN (0, 1)),
    -- what it carried: the state's version (NULL: none) and the revocation's (NULL: none)
    sent_version INTEGER,
    sent_revocation INTEGER,
    -- NULL while broadcast and not yet seen in a block
    tx_hash TEXT,
    gas_used INTEGER,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (channel, closed_version, closing_version, stale)
);
