//! `completions` and `man`: the shell completion scripts and the manual pages, generated from the
//! command-line definition itself, so they never drift from it.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::output;

/// Prints the completion script of `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "meridian", &mut std::io::stdout());
    Ok(())
}

/// Writes `meridian.1` and one page per (sub)command, `meridian-analyze-rank.1` and so on.
pub fn man_pages(out: &Path, quiet: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let mut command = Cli::command();
    command.build();
    let mut written = 0;
    write_pages(&command, "meridian", out, &mut written)?;
    output::note(
        quiet,
        format!("{written} manual page(s) written to {}", out.display()),
    );
    Ok(())
}

fn write_pages(
    command: &clap::Command,
    name: &str,
    out: &Path,
    written: &mut usize,
) -> anyhow::Result<()> {
    let path = out.join(format!("{name}.1"));
    let page = command.clone().display_name(name.to_owned());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page).render(&mut bytes)?;
    std::fs::write(&path, bytes).with_context(|| format!("{}: cannot write", path.display()))?;
    *written += 1;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), out, written)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn man_pages_cover_every_visible_command_and_name_their_options() {
        let dir = tempfile::tempdir().unwrap();
        man_pages(dir.path(), true).unwrap();
        let rank = std::fs::read_to_string(dir.path().join("meridian-analyze-rank.1")).unwrap();
        assert!(rank.contains("explain"), "{rank}");
        assert!(dir.path().join("meridian-intel-cvd-new.1").exists());
        assert!(
            !dir.path().join("meridian-analyze-peers.1").exists(),
            "hidden"
        );
    }
}
