//! The `clickwork` binary: parse the command line, then run the window or a subcommand.

use clap::Parser;
use clickwork::cli::{self, Cli};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    clickwork::ui::launched_at();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    if let Some(command) = &cli.command {
        return cli::run(&cli, command);
    }
    let failed = match cli.app_config() {
        Ok(config) => match clickwork::ui::run(config) {
            Ok(()) => return ExitCode::SUCCESS,
            Err(message) => (message, 1),
        },
        Err(e) => (e, 2),
    };
    // A closed stderr leaves nothing else to tell.
    let _ = writeln!(std::io::stderr(), "error: {}", failed.0);
    ExitCode::from(failed.1)
}
