//! Wall-clock time and the two timestamp formats the providers use, without a date crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    now_ms().div_euclid(1000)
}

/// `2025-05-02T16:12:39.000000Z`: Laravel's JSON date format (Partnero, Prolifi).
pub fn iso_micros(ms: i64) -> String {
    let (date_time, millis) = split(ms);
    format!("{date_time}.{:06}Z", millis * 1000)
}

/// `2025-05-02T16:12:39.000Z`: JavaScript's `toISOString` and Rails' JSON format (Count, Commerce Layer).
pub fn iso_millis(ms: i64) -> String {
    let (date_time, millis) = split(ms);
    format!("{date_time}.{millis:03}Z")
}

fn split(ms: i64) -> (String, i64) {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            of_day / 3600,
            (of_day / 60) % 60,
            of_day % 60
        ),
        millis,
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        // 2025-05-02T16:12:39Z, the timestamp in Partnero's create example.
        assert_eq!(iso_micros(1_746_202_359_000), "2025-05-02T16:12:39.000000Z");
        assert_eq!(iso_millis(1_746_202_359_123), "2025-05-02T16:12:39.123Z");
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
