//! The `clickwork` binary: parse the command line, then run the window or a subcommand.

use clap::Parser;
use clickwork::cli::{self, Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => clickwork::ui::run(&cli),
    }
}
