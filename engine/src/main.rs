//! `auto`: AUTO's engine without a window — serve the API, manage tokens, stock, backups, bench.

use anyhow::{bail, Context};
use auto_engine::auth::Scope;
use auto_engine::catalog::StockInput;
use auto_engine::config::{resolve_data_dir, Config};
use auto_engine::host::{self, init_logging, SERVER_ADDR_FILE};
use auto_engine::Engine;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "auto",
    version,
    about = "AUTO: instant delivery of digital products to Shopee buyers"
)]
struct Cli {
    /// The data dir (database, config, logs); defaults to the platform's app data folder.
    #[arg(long, global = true, env = "AUTO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine and its local API on 127.0.0.1.
    Serve {
        /// Port to listen on (0 picks a free one); default from config.toml, else 47821.
        #[arg(long)]
        port: Option<u16>,
        /// Do not load the demo catalog on a first start.
        #[arg(long)]
        no_demo: bool,
    },
    /// Print a one-time sign-in link for the UI in a browser (10 minutes, works once).
    Signin,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Print a 6-digit code that pairs the browser extension (valid 5 minutes).
    Pair,
    /// Import stock (TXT: one per line; CSV: code column, or username,password,notes) into a product.
    ImportStock {
        /// The product's id or SKU.
        product: String,
        file: PathBuf,
        /// A label the imported items carry (a supplier, an invoice): at most 64 characters.
        #[arg(long, default_value = "")]
        batch: String,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Copy the database to FILE while AUTO runs (SQLite online backup).
    Backup { file: PathBuf },
    /// Replace the database with a backup (stop AUTO first).
    Restore { file: PathBuf },
    /// Rebuild the assistant's vector index and memory graph from the database (stop AUTO first).
    RebuildAssistant,
    /// The Shopee Open Platform road: the app, connecting shops, their state, a sync now.
    Shopee {
        #[command(subcommand)]
        action: auto_engine::shopee::cli::ShopeeCommand,
    },
    /// Measure FAQ answer quality on a labelled set (text,category CSVs such as banking77).
    EvalFaq {
        #[arg(long)]
        train: PathBuf,
        #[arg(long)]
        test: PathBuf,
        /// Questions per intent put into the FAQ.
        #[arg(long, default_value_t = 5)]
        shots: usize,
        /// Leave every Nth intent out of the FAQ to measure declining (0 = none).
        #[arg(long, default_value_t = 7)]
        holdout_every: usize,
        /// Answer threshold; default: calibrated on a dev split of the training file.
        #[arg(long)]
        threshold: Option<f32>,
        /// Write per-question features as CSV here (for calibration work).
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Also measure declining with each other set of left-out intents (every Nth from
        /// offset 0, 1, …): one set may be easier to tell from its siblings than another.
        #[arg(long)]
        folds: bool,
    },
    /// Measure the assistant's answer latency, HNSW recall and index reload time.
    BenchFaq(auto_engine::assistant::bench::FaqBenchArgs),
    /// Measure intake throughput, latency and memory against a fresh data dir over loopback HTTP.
    Bench(auto_engine::bench::BenchArgs),
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token and print it (shown once).
    Create {
        #[arg(long, value_enum)]
        scope: ScopeArg,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// List tokens (ids, scopes, labels; never the tokens).
    List,
    /// Revoke a token by id; a running AUTO stops accepting it within 30 seconds.
    Revoke { id: i64 },
}

#[derive(Clone, Copy, ValueEnum)]
enum ScopeArg {
    Admin,
    Extension,
}

#[derive(Subcommand)]
enum ExportWhat {
    /// Every order, one row each.
    Orders {
        /// Write CSV (the only format for now).
        #[arg(long, required = true)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() {
    auto_engine::host::tune_allocators();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Bench(args) = cli.command {
        return auto_engine::bench::run(args);
    }
    if let Command::EvalFaq {
        train,
        test,
        shots,
        holdout_every,
        threshold,
        dump,
        folds,
    } = &cli.command
    {
        let config = Config::default_with_env()?;
        return auto_engine::assistant::eval::run(
            &auto_engine::assistant::eval::EvalOptions {
                train,
                test,
                shots: *shots,
                holdout_every: *holdout_every,
                threshold: *threshold,
                models_dir: &config.assistant.models_dir,
                model: &config.assistant.model,
                dump: dump.as_deref(),
                folds: *folds,
            },
            &mut std::io::stdout(),
        );
    }
    if let Command::BenchFaq(args) = &cli.command {
        let config = Config::default_with_env()?;
        return auto_engine::assistant::bench::run(
            args,
            &config.assistant.models_dir,
            &config.assistant.model,
        );
    }
    let data_dir = resolve_data_dir(cli.data_dir)?;
    let config = Config::load(&data_dir)?;
    match cli.command {
        Command::Serve { port, no_demo } => {
            let _log = init_logging(&data_dir, true)?;
            serve(&data_dir, config, port, !no_demo)
        }
        command => {
            let _log = init_logging(&data_dir, false)?;
            one_shot(&data_dir, config, command)
        }
    }
}

fn open(data_dir: &Path, config: Config) -> anyhow::Result<Engine> {
    Engine::open(data_dir, config, false)
        .with_context(|| format!("cannot open AUTO's data in {}", data_dir.display()))
}

fn one_shot(data_dir: &Path, config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Signin => {
            let addr = std::fs::read_to_string(data_dir.join(SERVER_ADDR_FILE))
                .ok()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| format!("127.0.0.1:{}", config.server.port));
            let code = open(data_dir, config)?.create_signin_code()?;
            println!("http://{addr}/signin?code={code}");
            eprintln!("open it in your browser within 10 minutes; it works once");
        }
        Command::Token {
            action: TokenAction::Create { scope, label },
        } => {
            let scope = match scope {
                ScopeArg::Admin => Scope::Admin,
                ScopeArg::Extension => Scope::Extension,
            };
            let token = open(data_dir, config)?.create_token(scope, &label)?;
            println!("{token}");
            eprintln!(
                "{} token created; it is shown only this once",
                scope.as_str()
            );
        }
        Command::Token {
            action: TokenAction::List,
        } => {
            for t in open(data_dir, config)?.list_tokens()? {
                let expired = t.expires_at.is_some_and(|e| e < chrono::Utc::now());
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if expired {
                    "expired"
                } else {
                    "active"
                };
                println!(
                    "{:>4}  {:<9}  {:<7}  {}  {}{}",
                    t.id,
                    t.scope.as_str(),
                    state,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    t.label,
                    t.origin.map(|o| format!(" ({o})")).unwrap_or_default()
                );
            }
        }
        Command::Token {
            action: TokenAction::Revoke { id },
        } => {
            open(data_dir, config)?.revoke_token(id)?;
            eprintln!("token {id} revoked");
        }
        Command::Pair => {
            let (code, expires) = open(data_dir, config)?.create_pairing_code()?;
            println!("{code}");
            eprintln!(
                "enter this code in the AUTO extension's popup; valid until {}",
                expires.with_timezone(&chrono::Local).format("%H:%M:%S")
            );
        }
        Command::ImportStock {
            product,
            file,
            batch,
        } => {
            let engine = open(data_dir, config)?;
            let product = engine.find_product(&product)?;
            let text =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = String::from_utf8(text).map_err(|_| {
                anyhow::anyhow!("{} is not UTF-8 text; save it as UTF-8", file.display())
            })?;
            let is_csv = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let input = if is_csv {
                StockInput::Csv(text)
            } else {
                StockInput::Text(text)
            };
            let report = engine.import_stock_batch(product.id, input, &batch)?;
            let label = if report.batch.is_empty() {
                String::new()
            } else {
                format!(" (batch '{}')", report.batch)
            };
            println!(
                "imported {}{label} into '{}'; {} duplicate(s), {} rejected; {} available now",
                report.imported,
                product.name,
                report.duplicates.len(),
                report.rejected.len(),
                report.available
            );
            if report.waiting_delivered > 0 {
                println!(
                    "{} waiting order(s) are being delivered",
                    report.waiting_delivered
                );
            }
            for d in &report.duplicates {
                eprintln!("  line {}: duplicate ({})", d.line, d.reason);
            }
            for r in &report.rejected {
                eprintln!("  line {}: rejected: {}", r.line, r.reason);
            }
        }
        Command::Export {
            what: ExportWhat::Orders { csv: _, out },
        } => {
            let engine = open(data_dir, config)?;
            let n = match out {
                Some(path) => {
                    let f = std::fs::File::create(&path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    engine.export_orders_csv(std::io::BufWriter::new(f))?
                }
                None => engine.export_orders_csv(std::io::stdout().lock())?,
            };
            eprintln!("{n} order(s) exported");
        }
        Command::RebuildAssistant => {
            let _lock = host::lock_data_dir(data_dir)?;
            let engine = open(data_dir, config)?;
            let status = engine.rebuild_assistant()?;
            eprintln!(
                "memory graph rebuilt: {} customers, {} orders, {} questions",
                status.graph.customers, status.graph.orders, status.graph.questions
            );
            engine
                .assistant
                .knowledge
                .index_all(&engine.db, |done, total| {
                    eprint!("\rindexing FAQ variants: {done}/{total}")
                })?;
            eprintln!();
            engine.close()?;
            let st = engine.assistant.knowledge.status();
            eprintln!(
                "FAQ index rebuilt: {} of {} variants ({:?} search)",
                st.indexed, st.variants, st.mode
            );
        }
        Command::Backup { file } => {
            let key = open(data_dir, config)?.backup(&file)?;
            eprintln!(
                "backup written to {}; its encryption key to {} — keep both together, and private",
                file.display(),
                key.display()
            );
        }
        Command::Shopee { action } => {
            auto_engine::shopee::cli::run(data_dir, open(data_dir, config)?, action)?;
        }
        Command::Restore { file } => {
            let _lock = host::lock_data_dir(data_dir)?;
            if !file.exists() {
                bail!("{} does not exist", file.display());
            }
            Engine::restore(data_dir, &config, &file)?;
            open(data_dir, config).context("restored, but the data cannot be opened")?;
            eprintln!("restored {} into {}", file.display(), data_dir.display());
        }
        Command::Serve { .. }
        | Command::Bench(_)
        | Command::BenchFaq(_)
        | Command::EvalFaq { .. } => {
            unreachable!("handled in run")
        }
    }
    Ok(())
}

fn serve(
    data_dir: &Path,
    config: Config,
    port: Option<u16>,
    load_demo: bool,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let port = port.unwrap_or(config.server.port);
        let hosted = host::start(data_dir, config, host::Port::Exactly(port), load_demo).await?;
        let code = hosted.engine.create_signin_code()?;
        // Whoever started us may have stopped reading (a closed terminal, a script that took
        // the URL): that is no reason to stop serving.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "AUTO is ready at http://{}/", hosted.addr)
            .and_then(|()| {
                writeln!(
                    out,
                    "Sign in: {} (works once, for 10 minutes; `auto signin` makes another)",
                    hosted.signin_url(&code)
                )
            })
            .and_then(|()| out.flush());
        drop(out);
        hosted.serve(host::shutdown_signal()).await?;
        tracing::info!("stopped cleanly");
        Ok(())
    })
}
