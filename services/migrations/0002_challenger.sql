-- The challenger's state (`settle challenger`). The chain is the truth; these tables are
-- the cursor and the memory that keeps a restarted challenger from doing anything twice.

-- Every live batch checked: the cursor of what the challenger has seen. Rows of batches
-- a fraud proof removed are deleted with them.
CREATE TABLE challenger_batches (
    batch INTEGER PRIMARY KEY NOT NULL,
    -- unix seconds of the block that posted it (tells a re-posted index apart)
    proposed_at INTEGER NOT NULL,
    -- the proposer's claimed output root and the one the posted data gives, hex
    claimed_root TEXT NOT NULL,
    computed_root TEXT NOT NULL,
    divergent INTEGER NOT NULL CHECK (divergent IN (0, 1)),
    checked_at INTEGER NOT NULL
);

-- Every game this challenger opened (or is opening): one per batch, ever.
CREATE TABLE challenger_games (
    batch INTEGER NOT NULL,
    proposed_at INTEGER NOT NULL,
    claimed_root TEXT NOT NULL,
    -- 'opening' (challenge broadcast, game id not yet known) | 'open' | 'won' | 'lost' | 'void'
    status TEXT NOT NULL CHECK (status IN ('opening', 'open', 'won', 'lost', 'void')),
    game INTEGER UNIQUE,
    -- the challenge transaction's hash
    tx_hash TEXT,
    sent_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (batch, proposed_at, claimed_root),
    CHECK ((status = 'opening') = (game IS NULL))
);

-- Every transaction the challenger sends in a game, keyed by the game's move count on
-- chain when it was sent: the same key twice is the same move twice.
CREATE TABLE challenger_moves (
    game INTEGER NOT NULL,
    -- the game's `moves` on chain when sent
    slot INTEGER NOT NULL,
    -- 'choose' | 'prove_step' | 'resolve_game' | 'claim'
    kind TEXT NOT NULL,
    -- what was sent (position and answer, step...)
    detail TEXT NOT NULL,
    -- NULL while broadcast and not yet seen in a block
    tx_hash TEXT,
    gas_used INTEGER,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (game, slot, kind)
);
