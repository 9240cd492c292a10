use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

use crate::msg::Party;

#[cw_serde]
pub struct Config {
    pub penalty_share_bps: u16,
    pub watchtower_fee_bps: u16,
    pub max_dispute_window: u64,
    pub domain: HexBinary,
}

#[cw_serde]
pub enum Phase {
    /// Waiting for B's join until `join_deadline`.
    Proposed {
        join_deadline: Timestamp,
    },
    Open,
    Closing {
        closer: Party,
        /// The version the closer closed with (0 in a record stored before revocations
        /// existed: no revocation was ever signed for such a channel).
        #[serde(default)]
        closed_version: u64,
        deadline: Timestamp,
        stale: bool,
        /// The authorised watchtower that proved the close stale.
        watchtower: Option<Addr>,
    },
    Settled {
        htlcs_paid: Vec<bool>,
    },
    Closed,
}

#[cw_serde]
pub struct Channel {
    pub a: Addr,
    pub b: Addr,
    pub pubkey_a: HexBinary,
    pub pubkey_b: HexBinary,
    pub denom: String,
    pub funded_a: Uint128,
    pub funded_b: Uint128,
    pub dispute_window: u64,
    pub phase: Phase,
    /// The closing or settled state (settle-core encoding).
    pub state: Option<Binary>,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const NEXT_CHANNEL: Item<u64> = Item::new("next_channel");
pub const CHANNELS: Map<u64, Channel> = Map::new("channels");
/// `sha256(preimage)` -> block time (seconds) it was first revealed.
pub const PREIMAGES: Map<&[u8], u64> = Map::new("preimages");
/// Per denom: channel funds not yet paid out.
pub const OWED: Map<&str, Uint128> = Map::new("owed");

impl Channel {
    /// Both parties' keys (checked at open).
    pub fn keys(&self) -> [settle_core::ledger::PubKey; 2] {
        [&self.pubkey_a, &self.pubkey_b].map(|k| k.as_slice().try_into().expect("checked at open"))
    }

    /// What A and B have put in.
    pub fn funding(&self) -> [u128; 2] {
        [self.funded_a.u128(), self.funded_b.u128()]
    }

    pub fn funded_mut(&mut self, p: settle_core::channel::Party) -> &mut Uint128 {
        match p {
            settle_core::channel::Party::A => &mut self.funded_a,
            settle_core::channel::Party::B => &mut self.funded_b,
        }
    }
}
