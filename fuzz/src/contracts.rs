//! Each contract's `execute` (and `query`) entry point with arbitrary JSON over a seeded
//! state, called directly on cosmwasm-std's mock dependencies. A message must be answered
//! with `Ok` or a typed error, never a panic, and a refused message must leave storage
//! exactly as it was.
//!
//! Input: `sender (1) || funds (1) || seconds passed (2) || JSON`. The JSON is read as
//! the contract's `ExecuteMsg`, or else as its `QueryMsg`.

use std::sync::OnceLock;

use cosmwasm_std::testing::{mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    coin, coins, from_json, Addr, Binary, Coin, Env, MessageInfo, Order, OwnedDeps, Storage,
    Uint128,
};

use crate::input::Input;

/// Everything in a storage, in key order.
pub type Dump = Vec<(Vec<u8>, Vec<u8>)>;

pub fn dump(storage: &dyn Storage) -> Dump {
    storage.range(None, None, Order::Ascending).collect()
}

fn deps_from(dump: &Dump, contract_funds: &[Coin]) -> OwnedDeps<MockStorage, MockApi, MockQuerier> {
    let mut storage = MockStorage::new();
    for (k, v) in dump {
        storage.set(k, v);
    }
    let env = mock_env();
    OwnedDeps {
        storage,
        api: MockApi::default(),
        querier: MockQuerier::new(&[(env.contract.address.as_str(), contract_funds)]),
        custom_query_type: core::marker::PhantomData,
    }
}

/// Accounts that send messages.
pub const SENDERS: [&str; 6] = [
    "admin",
    "proposer",
    "challenger",
    "alice",
    "bob",
    "stranger",
];
pub const DENOM: &str = "uusd";
pub const BOND_DENOM: &str = "ustake";

pub fn addr(label: &str) -> Addr {
    MockApi::default().addr_make(label)
}

/// The canonical bytes of [`addr`] (what the chain hands a contract as an L1 address).
pub fn canonical(label: &str) -> Vec<u8> {
    use cosmwasm_std::Api;
    MockApi::default()
        .addr_canonicalize(addr(label).as_str())
        .expect("a mock address")
        .to_vec()
}

fn info(input: &mut Input) -> MessageInfo {
    let sender = addr(SENDERS[input.u8() as usize % SENDERS.len()]);
    let f = input.u8();
    let funds = match f % 6 {
        0 => vec![],
        1 => coins(1_000, DENOM),
        2 => coins(500, BOND_DENOM),
        3 => coins(1 + f as u128 * 977, DENOM),
        4 => vec![coin(1_000, DENOM), coin(1_000, BOND_DENOM)],
        _ => coins(u128::MAX, DENOM),
    };
    MessageInfo { sender, funds }
}

fn env_after(seconds: u16) -> Env {
    let mut env = mock_env();
    env.block.time = env.block.time.plus_seconds(seconds as u64 * 60);
    env.block.height += seconds as u64;
    env
}

/// Runs one fuzz message on a contract; `exec` and `query` are the entry points, `state`
/// the seeded storage and the contract's bank balance.
fn drive<E, Q, R>(
    data: &[u8],
    state: &(Dump, Vec<Coin>),
    exec: impl Fn(cosmwasm_std::DepsMut, Env, MessageInfo, E) -> Result<cosmwasm_std::Response, R>,
    query: impl Fn(cosmwasm_std::Deps, Env, Q) -> cosmwasm_std::StdResult<cosmwasm_std::Binary>,
) where
    E: serde::de::DeserializeOwned,
    Q: serde::de::DeserializeOwned,
    R: core::fmt::Debug,
{
    let mut input = Input::new(data);
    let info = info(&mut input);
    let env = env_after(input.u16());
    let json = input.rest();
    let mut deps = deps_from(&state.0, &state.1);
    if let Ok(msg) = from_json::<E>(json) {
        if exec(deps.as_mut(), env, info, msg).is_err() {
            assert!(
                dump(&deps.storage) == state.0,
                "a refused message changed storage: {}",
                String::from_utf8_lossy(json)
            );
        }
    } else if let Ok(msg) = from_json::<Q>(json) {
        let _ = query(deps.as_ref(), env, msg);
    }
}

/// Calls `exec` and panics with the error: for building the seeded states.
fn must<T, E: core::fmt::Debug>(what: &str, r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("seeding the fuzzed state: {what}: {e:?}"))
}

pub mod optimistic {
    use super::*;
    use optimistic_rollup::contract::{execute, instantiate, query};
    use optimistic_rollup::msg::{
        AmountRange, ConfigBounds, DepositTarget as MsgTarget, DisputeParams, ExecuteMsg,
        InstantiateMsg, Range,
    };
    use settle_core::batch::{apply_batch, encode_batch};
    use settle_core::crypto::NativeVerifier;
    use settle_core::ledger::{Deposit, DepositTarget, Ledger};
    use settle_core::tx::{Domain, SignedTx, Transfer, TxBody, Withdraw};

    pub fn instantiate_msg() -> InstantiateMsg {
        let r = |min, max| Range { min, max };
        let a = |min: u128, max: u128| AmountRange {
            min: Uint128::new(min),
            max: Uint128::new(max),
        };
        InstantiateMsg {
            admin: Some(addr("admin").to_string()),
            denom: DENOM.into(),
            bond_denom: BOND_DENOM.into(),
            proposer_bond: Uint128::new(1_000),
            challenge_window: 86_400,
            force_inclusion_seconds: 3_600,
            max_batch_bytes: 128 * 1024,
            dispute: DisputeParams {
                challenger_bond: Uint128::new(500),
                clock_seconds: 3_600,
                min_answer_seconds: 300,
                reward_bps: 5_000,
                treasury: addr("treasury").to_string(),
            },
            bounds: Some(ConfigBounds {
                challenge_window: r(300, 30 * 86_400),
                force_inclusion_seconds: r(0, 7 * 86_400),
                max_batch_bytes: r(1, 512 * 1024),
                proposer_bond: a(1, 1_000_000),
                challenger_bond: a(1, 1_000_000),
                clock_seconds: r(300, 7 * 86_400),
                min_answer_seconds: r(60, 86_400),
                reward_bps: r(0, 10_000),
            }),
        }
    }

    /// The rollup's signing domain under the mock environment.
    pub fn domain() -> Domain {
        let env = mock_env();
        Domain::new(&env.block.chain_id, env.contract.address.as_str())
    }

    /// Batch 0's data: alice pays bob and withdraws, signed for the mock rollup.
    pub fn batch_data() -> Vec<u8> {
        let keys = crate::codec::keys();
        let d = domain();
        encode_batch(&[
            SignedTx::sign(
                TxBody::Transfer(Transfer {
                    from: 0,
                    to: 1,
                    amount: 100_000,
                    nonce: 0,
                }),
                &d,
                &keys[0],
            ),
            SignedTx::sign(
                TxBody::Withdraw(Withdraw {
                    from: 0,
                    amount: 50_000,
                    nonce: 1,
                    recipient: canonical("alice"),
                }),
                &d,
                &keys[0],
            ),
        ])
    }

    /// Instantiated, a bonded proposer, two deposits, batch 0 proposed and challenged (an
    /// open game).
    pub fn state() -> &'static (Dump, Vec<Coin>) {
        static STATE: OnceLock<(Dump, Vec<Coin>)> = OnceLock::new();
        STATE.get_or_init(|| {
            let mut deps = deps_from(&Vec::new(), &[]);
            let env = mock_env();
            let send = |who: &str, funds: Vec<Coin>| MessageInfo {
                sender: addr(who),
                funds,
            };
            must(
                "instantiate",
                instantiate(
                    deps.as_mut(),
                    env.clone(),
                    send("admin", vec![]),
                    instantiate_msg(),
                ),
            );
            let run = |deps: &mut OwnedDeps<_, _, _>, who, funds, msg| {
                must(
                    "execute",
                    execute(deps.as_mut(), env.clone(), send(who, funds), msg),
                )
            };
            run(
                &mut deps,
                "proposer",
                coins(1_000, BOND_DENOM),
                ExecuteMsg::Bond {},
            );
            let keys = crate::codec::keys();
            let mut deposits = Vec::new();
            for (i, (who, amount)) in [("alice", 1_000_000u128), ("bob", 250_000)]
                .iter()
                .enumerate()
            {
                let pubkey = keys[i].public_key();
                run(
                    &mut deps,
                    who,
                    coins(*amount, DENOM),
                    ExecuteMsg::Deposit {
                        target: MsgTarget::NewAccount {
                            pubkey: Binary::from(pubkey.to_vec()),
                        },
                    },
                );
                deposits.push(Deposit {
                    index: i as u64,
                    target: DepositTarget::NewAccount(pubkey),
                    amount: *amount,
                    refund_to: canonical(who),
                });
            }
            let data = batch_data();
            let mut ledger = Ledger::new();
            let result = apply_batch(
                &mut ledger,
                &domain(),
                &NativeVerifier,
                0,
                0,
                &deposits,
                &data,
            )
            .expect("batch 0 applies");
            run(
                &mut deps,
                "proposer",
                vec![],
                ExecuteMsg::ProposeBatch {
                    data: data.into(),
                    deposits_consumed: 2,
                    output_root: Binary::from(result.output.root().to_vec()),
                },
            );
            run(
                &mut deps,
                "challenger",
                coins(500, BOND_DENOM),
                ExecuteMsg::Challenge { batch: 0 },
            );
            (
                dump(&deps.storage),
                vec![coin(1_250_000, DENOM), coin(1_500, BOND_DENOM)],
            )
        })
    }

    /// The optimistic rollup's `execute`/`query`.
    pub fn contract_optimistic(data: &[u8]) {
        drive::<optimistic_rollup::msg::ExecuteMsg, optimistic_rollup::msg::QueryMsg, _>(
            data,
            state(),
            execute,
            query,
        )
    }
}

pub mod channels {
    use super::*;
    use payment_channels::contract::{execute, instantiate, query};
    use payment_channels::msg::{ExecuteMsg, InstantiateMsg};
    use settle_core::channel::{join_hash, ChannelDomain};

    pub fn domain() -> ChannelDomain {
        let env = mock_env();
        ChannelDomain::new(&env.block.chain_id, env.contract.address.as_str())
    }

    pub fn open_msg() -> ExecuteMsg {
        let keys = crate::channel::keys();
        ExecuteMsg::Open {
            counterparty: addr("bob").to_string(),
            pubkey_a: cosmwasm_std::Binary::from(keys[0].public_key().to_vec()),
            pubkey_b: cosmwasm_std::Binary::from(keys[1].public_key().to_vec()),
            dispute_window: 3_600,
            join_window: 86_400,
        }
    }

    /// Instantiated; channel 0 proposed by alice, channel 1 opened and joined by bob.
    pub fn state() -> &'static (Dump, Vec<Coin>) {
        static STATE: OnceLock<(Dump, Vec<Coin>)> = OnceLock::new();
        STATE.get_or_init(|| {
            let mut deps = deps_from(&Vec::new(), &[]);
            let env = mock_env();
            let send = |who: &str, funds: Vec<Coin>| MessageInfo {
                sender: addr(who),
                funds,
            };
            must(
                "instantiate",
                instantiate(
                    deps.as_mut(),
                    env.clone(),
                    send("admin", vec![]),
                    InstantiateMsg {
                        penalty_share_bps: Some(5_000),
                        watchtower_fee_bps: 100,
                        max_dispute_window: 7 * 86_400,
                    },
                ),
            );
            for _ in 0..2 {
                must(
                    "open",
                    execute(
                        deps.as_mut(),
                        env.clone(),
                        send("alice", coins(1_000_000, DENOM)),
                        open_msg(),
                    ),
                );
            }
            let keys = crate::channel::keys();
            let (a, b) = (keys[0].public_key(), keys[1].public_key());
            let bob = addr("bob").to_string();
            let joined = [0u64, 1, 2].iter().any(|&id| {
                let sig = keys[1].sign_prehash(&join_hash(&domain(), id, &bob, [&a, &b]));
                execute(
                    deps.as_mut(),
                    env.clone(),
                    send("bob", coins(250_000, DENOM)),
                    ExecuteMsg::Join {
                        channel: id,
                        signature: cosmwasm_std::Binary::from(sig.to_vec()),
                    },
                )
                .is_ok()
            });
            assert!(joined, "seeding the fuzzed state: no channel to join");
            (dump(&deps.storage), vec![coin(2_250_000, DENOM)])
        })
    }

    /// The payment-channels contract's `execute`/`query`.
    pub fn contract_channels(data: &[u8]) {
        drive::<ExecuteMsg, payment_channels::msg::QueryMsg, _>(data, state(), execute, query)
    }
}

pub mod validity {
    use super::*;
    use validity_rollup::contract::{execute, instantiate, query};
    use validity_rollup::msg::{DepositTarget, ExecuteMsg, InstantiateMsg, Shape};

    use crate::vectors::{parity, unhex};

    pub fn instantiate_msg() -> InstantiateMsg {
        InstantiateMsg {
            admin: Some(addr("admin").to_string()),
            denom: DENOM.into(),
            verifying_key: cosmwasm_std::Binary::from(unhex(&parity()["validity"]["verifyingKey"])),
            shape: Shape {
                deposits: 2,
                txs: 1,
            },
            exodus_after_seconds: 86_400,
            key_timelock_seconds: 2 * 86_400,
            min_deposit: Uint128::new(1),
            min_new_account: Uint128::new(1_000),
            max_pending: 1_024,
        }
    }

    /// Instantiated with the vectors' key, two accounts queued.
    pub fn state() -> &'static (Dump, Vec<Coin>) {
        static STATE: OnceLock<(Dump, Vec<Coin>)> = OnceLock::new();
        STATE.get_or_init(|| {
            let mut deps = deps_from(&Vec::new(), &[]);
            let env = mock_env();
            let send = |who: &str, funds: Vec<Coin>| MessageInfo {
                sender: addr(who),
                funds,
            };
            must(
                "instantiate",
                instantiate(
                    deps.as_mut(),
                    env.clone(),
                    send("admin", vec![]),
                    instantiate_msg(),
                ),
            );
            for (i, who) in ["alice", "bob"].iter().enumerate() {
                let key = crate::validity::zk_keys()[i].public_key();
                must(
                    "deposit",
                    execute(
                        deps.as_mut(),
                        env.clone(),
                        send(who, coins(10_000, DENOM)),
                        ExecuteMsg::Deposit {
                            target: DepositTarget::NewAccount {
                                pubkey: cosmwasm_std::Binary::from(key.encode().to_vec()),
                            },
                        },
                    ),
                );
            }
            (dump(&deps.storage), vec![coin(20_000, DENOM)])
        })
    }

    /// The validity rollup's `execute`/`query`.
    pub fn contract_validity(data: &[u8]) {
        drive::<ExecuteMsg, validity_rollup::msg::QueryMsg, _>(data, state(), execute, query)
    }
}
