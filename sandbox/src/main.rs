//! `sandbox [--port <n>]`: serves the emulated provider APIs on 127.0.0.1 (default port 8787;
//! `--port 0` picks a free one) and prints exactly one line,
//! `sandbox listening on http://127.0.0.1:<port>`, once the socket is bound.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use customer_form_sandbox::{app, Credentials};

const DEFAULT_PORT: u16 = 8787;
const USAGE: &str = "usage: sandbox [--port <n>]   (default 8787; 0 picks a free port)";

fn parse_port(args: &[String]) -> Result<u16, String> {
    let mut port = DEFAULT_PORT;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = match arg.as_str() {
            "--port" => rest.next().ok_or("--port needs a value")?.as_str(),
            other => match other.strip_prefix("--port=") {
                Some(value) => value,
                None => return Err(format!("unknown argument {other:?}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("invalid port {value:?}"))?;
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let port = match parse_port(&args) {
        Ok(port) => port,
        Err(message) => {
            eprintln!("sandbox: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Loopback only: the sandbox holds fake customer data and accepts well-known credentials.
    let listener =
        match tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("sandbox: cannot listen on 127.0.0.1:{port}: {error}");
                return ExitCode::FAILURE;
            }
        };
    let bound = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let mut stdout = std::io::stdout();
    // Scripts wait for this exact line, so flush it at once.
    if writeln!(stdout, "sandbox listening on http://127.0.0.1:{bound}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("sandbox: cannot write to stdout");
    }
    let shutdown = async {
        // If the signal handler cannot be installed, just serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match axum::serve(listener, app(Credentials::from_env()))
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sandbox: server error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_port;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_ports() {
        assert_eq!(parse_port(&args(&[])), Ok(8787));
        assert_eq!(parse_port(&args(&["--port", "0"])), Ok(0));
        assert_eq!(parse_port(&args(&["--port=9000"])), Ok(9000));
        assert!(parse_port(&args(&["--port"])).is_err());
        assert!(parse_port(&args(&["--port", "x"])).is_err());
        assert!(parse_port(&args(&["--verbose"])).is_err());
    }
}
