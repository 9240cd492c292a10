//! `settle`: the off-chain agents of the settlement suite.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use settle_services::config::Config;
use settle_services::follow::Follower;
use settle_services::Error;

#[derive(Parser)]
#[command(
    name = "settle",
    version,
    about = "Off-chain agents of the settle suite"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rebuild the optimistic rollup's L2 state from chain data alone (the contract's
    /// queries and the transactions that posted each batch) and print it; exits with 3 if
    /// a batch claims an output root its data does not give.
    Replay {
        /// The TOML configuration ([chain] and [rollup]).
        #[arg(long)]
        config: PathBuf,
        /// Print the accounts too (index, balance, nonce).
        #[arg(long)]
        accounts: bool,
    },
    /// Run the optimistic rollup's operator: an HTTP API that accepts signed L2
    /// transactions ([operator] listen), and a round every poll_seconds that follows the
    /// chain, builds the next batch with the core and posts it with the configured key;
    /// every submitted transaction ends in a posted batch or refused with a reason, across
    /// restarts (the [operator] database). Stops cleanly on SIGINT/SIGTERM.
    Operator {
        /// The TOML configuration ([chain], [key], [rollup], [operator]).
        #[arg(long)]
        config: PathBuf,
    },
    /// Follow the optimistic rollup, check every batch's output root against its posted
    /// data, and dispute every false one to the end on its own (games opened, moves,
    /// one-step proofs, claims). Runs until SIGINT or SIGTERM; its state is in the
    /// [challenger] database.
    Challenger {
        /// The TOML configuration ([chain], [key], [rollup] and [challenger]).
        #[arg(long)]
        config: PathBuf,
    },
    /// Guard payment-channel clients who go offline: an HTTP API takes their newest
    /// co-signed state, the other party's revocation and their authorisation; a round
    /// every poll_seconds answers a stale close of a guarded channel with `dispute` before
    /// the window ends (earning the watchtower fee). Its state is in the [watchtower]
    /// database. Stops cleanly on SIGINT/SIGTERM.
    Watchtower {
        /// The TOML configuration ([chain], [key], [channels] and [watchtower]).
        #[arg(long)]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal only: a log file or a collector gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("settle: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Replay { config, accounts } => replay(&config, accounts).await,
            Command::Operator { config } => {
                let config = Config::load(&config)?;
                settle_services::service::run_operator(&config).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Challenger { config } => challenger(&config).await,
            Command::Watchtower { config } => watchtower(&config).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("settle: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn replay(path: &std::path::Path, accounts: bool) -> Result<ExitCode, Error> {
    let config = Config::load(path)?;
    let client = config.connect().await?;
    config.check_rollup(&client).await?;
    let contract = &config.rollup()?.contract;
    let mut f = Follower::new(&client, contract).await?;
    let synced = f.sync(&client).await?;
    let ledger = &f.node.ledger;
    println!("rollup {contract} on {}", client.chain_id());
    println!(
        "  {} batches, {} deposits ({} pending), {} accounts holding {} in all",
        f.node.batch_count(),
        f.node.deposit_count(),
        f.node.pending_deposits().len(),
        ledger.accounts().len(),
        ledger.total_balance()
    );
    println!("  state root {}", hex::encode(ledger.state_root()));
    if accounts {
        for (i, a) in ledger.accounts().iter().enumerate() {
            println!("  account {i}: balance {}, nonce {}", a.balance, a.nonce);
        }
    }
    for d in &synced.divergences {
        println!(
            "  batch {} by {} claims {} but its data gives {}",
            d.batch,
            d.proposer,
            hex::encode(d.claimed),
            hex::encode(d.computed)
        );
    }
    Ok(if synced.divergences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// `settle challenger`: rounds until SIGINT or SIGTERM (the round under way finishes).
async fn challenger(path: &std::path::Path) -> Result<ExitCode, Error> {
    let config = Config::load(path)?;
    settle_services::challenger::serve(&config, settle_services::service::shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// `settle watchtower`: rounds until SIGINT or SIGTERM (the round under way finishes).
async fn watchtower(path: &std::path::Path) -> Result<ExitCode, Error> {
    let config = Config::load(path)?;
    settle_services::watchtower::serve(&config, settle_services::service::shutdown_signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}
