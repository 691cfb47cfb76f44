//! A throwaway PostgreSQL for the tests: a fresh data directory under the temp dir, its own
//! loopback port and socket directory, run as the unprivileged `postgres` user when the tests run
//! as root (PostgreSQL refuses root), and stopped when the guard is dropped, also when a test
//! panics.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Postgres {
    pub url: String,
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    child: Option<Child>,
}

/// The newest `/usr/lib/postgresql/<version>/bin` with a server in it.
fn server_binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The uid and gid to run as: `postgres`'s when we are root, none otherwise.
fn run_as() -> Option<(u32, u32)> {
    let id = |flag: &str, user: Option<&str>| -> Option<u32> {
        let mut command = Command::new("id");
        command.arg(flag);
        if let Some(user) = user {
            command.arg(user);
        }
        let output = command.output().ok()?;
        String::from_utf8(output.stdout).ok()?.trim().parse().ok()
    };
    if id("-u", None)? != 0 {
        return None;
    }
    Some((id("-u", Some("postgres"))?, id("-g", Some("postgres"))?))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

impl Postgres {
    /// Starts one; `None` (with a note) when PostgreSQL is not installed, which fails the test
    /// instead under `CI=true`.
    pub fn start() -> Option<Postgres> {
        let Some(bin) = server_binaries() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL is not installed (scripts/setup.sh installs it): the replicas test \
                 cannot be skipped in CI"
            );
            eprintln!("skipped: PostgreSQL is not installed (run scripts/setup.sh)");
            return None;
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gateway-postgres-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let (data, sockets) = (dir.join("data"), dir.join("sockets"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&sockets).unwrap();
        let user = run_as();
        if let Some((uid, gid)) = user {
            for path in [&dir, &data, &sockets] {
                std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
            }
        }
        let command = |program: &str| {
            let mut command = Command::new(bin.join(program));
            command.env("LC_ALL", "C").env_remove("PGDATA");
            if let Some((uid, gid)) = user {
                use std::os::unix::process::CommandExt;
                command.uid(uid).gid(gid);
            }
            command
        };
        let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
        let initdb = command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .stdout(log("initdb.log"))
            .stderr(log("initdb.err"))
            .status()
            .unwrap();
        assert!(
            initdb.success(),
            "initdb failed: {}",
            read(&dir.join("initdb.err"))
        );
        let port = free_port();
        let child = command("postgres")
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&sockets)
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .stdin(Stdio::null())
            .stdout(log("postgres.log"))
            .stderr(log("postgres.err"))
            .spawn()
            .unwrap();
        let mut postgres = Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"),
            port,
            dir,
            bin,
            child: Some(child),
        };
        postgres.wait_until_ready();
        Some(postgres)
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "PostgreSQL exited ({status}): {}",
                    read(&self.dir.join("postgres.err"))
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "PostgreSQL did not start: {}",
                read(&self.dir.join("postgres.err"))
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (fast shutdown, then a kill if it lingers).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
