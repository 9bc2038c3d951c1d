//! The standalone server's front, attacked as a client on the network would: bodies refused
//! while they are read, headers and slow clients bounded, and everything else passed through
//! as the mock answers it. Raw sockets, since a well-behaved HTTP client would not send what
//! these tests send.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::standalone::Standalone;

/// The host and port of a URL the binary printed.
fn address(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

/// The binary's peak resident memory so far, in KiB (Linux's `VmHWM`).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The status and the rest (headers and body) of the answer on `stream`, read to its end;
/// status 0 when the server closed the connection without answering.
fn answer(stream: TcpStream) -> (u16, String) {
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    let _ = reader.read_line(&mut status);
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    (code, String::from_utf8_lossy(&rest).into_owned())
}

/// One request on a fresh connection (`Connection: close`), and its answer.
fn request(mock: &Standalone, head: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address(mock.url())).unwrap();
    let mut sent = format!("{head}\r\nHost: mock\r\nConnection: close\r\n\r\n").into_bytes();
    sent.extend_from_slice(body);
    let _ = stream.write_all(&sent);
    answer(stream)
}

fn admin(mock: &Standalone) -> String {
    format!("Authorization: Bearer {}", mock.vars["NIXBUILD_MOCK_ADMIN_TOKEN"])
}

#[test]
fn a_gibibyte_sent_chunked_without_a_token_is_refused_as_it_is_read() {
    let mock = Standalone::start(&["--empty"]);
    let before = peak_kib(mock.pid());
    let mut stream = TcpStream::connect(address(mock.url())).unwrap();
    stream.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "POST /processes HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
    )
    .unwrap();
    let mut chunk = format!("{:x}\r\n", 1 << 20).into_bytes();
    chunk.extend(std::iter::repeat_n(b'0', 1 << 20));
    chunk.extend_from_slice(b"\r\n");
    // Written on a thread of its own and read here meanwhile, as a client that reads while
    // it sends: the answer arrives before the server closes the connection on the rest.
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let mut sent = 0;
        while sent < 1024 && writer.write_all(&chunk).is_ok() {
            sent += 1;
        }
        sent
    });
    let (status, rest) = answer(stream);
    assert_eq!(status, 413, "{rest}");
    assert!(rest.contains("at most 1048576"), "{rest}");
    assert!(
        sending.join().unwrap() < 1024,
        "the server read the whole gibibyte"
    );
    let grown = peak_kib(mock.pid()).saturating_sub(before);
    assert!(grown < 8 * 1024, "the peak grew by {grown} KiB");

    // The refused request is journaled as in process, and the mock serves on.
    let (status, journal) = request(
        &mock,
        &format!("GET /_mock/requests HTTP/1.1\r\n{}", admin(&mock)),
        b"",
    );
    assert_eq!(status, 200, "{journal}");
    assert!(journal.contains(r#""status":413"#), "{journal}");
}

#[test]
fn an_announced_length_past_the_budget_is_refused_without_waiting_for_the_body() {
    let mock = Standalone::start(&["--empty"]);
    let mut stream = TcpStream::connect(address(mock.url())).unwrap();
    write!(
        stream,
        "POST /processes HTTP/1.1\r\nHost: mock\r\nContent-Length: 1073741824\r\n\r\n"
    )
    .unwrap();
    // One byte past the budget of the announced gibibyte, then nothing: the answer comes
    // anyway, without the rest.
    let _ = stream.write_all(&vec![b'['; (1 << 20) + 1]);
    let started = Instant::now();
    let (status, rest) = answer(stream);
    assert_eq!(status, 413, "{rest}");
    assert!(rest.to_ascii_lowercase().contains("connection: close"), "{rest}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn slow_clients_are_cut_off_after_the_read_timeout() {
    let mock = Standalone::start(&["--empty", "--read-timeout", "0.5"]);
    // A body that never comes: 408 in the mock's error shape.
    let mut stream = TcpStream::connect(address(mock.url())).unwrap();
    write!(
        stream,
        "POST /processes HTTP/1.1\r\nHost: mock\r\nContent-Length: 10\r\n\r\n["
    )
    .unwrap();
    let (status, rest) = answer(stream);
    assert_eq!(status, 408, "{rest}");
    assert!(
        rest.contains(r#"{"error":"the request body did not arrive within 0.5 s"}"#),
        "{rest}"
    );
    // Headers that never end: the connection is closed, nothing is answered 200.
    let mut stream = TcpStream::connect(address(mock.url())).unwrap();
    write!(stream, "GET /builds HTTP/1.1\r\nHost: mock\r\nX-Slow: ").unwrap();
    let started = Instant::now();
    let (status, _) = answer(stream);
    assert_ne!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn huge_or_countless_headers_are_431() {
    let mock = Standalone::start(&["--empty"]);
    let huge = format!("GET /builds HTTP/1.1\r\nX-Huge: {}", "h".repeat(100 * 1024));
    assert_eq!(request(&mock, &huge, b"").0, 431);
    let many: String = (0..200).map(|i| format!("\r\nX-{i}: v")).collect();
    assert_eq!(request(&mock, &format!("GET /builds HTTP/1.1{many}"), b"").0, 431);
    // Within the bounds, the mock answers (401: no token).
    assert_eq!(request(&mock, "GET /builds HTTP/1.1\r\nX-Fine: v", b"").0, 401);
}

#[test]
fn a_control_request_with_the_admin_token_may_bring_more_than_the_apis_budget() {
    let mock = Standalone::start(&["--empty"]);
    // About 1.2 MB of fixture specs: past the API's 1 MiB, within the control API's budget.
    let specs: Vec<String> = (0..20_000)
        .map(|i| format!(r#"{{"name":"pkg-{i}","status":"built","system":"x86_64-linux"}}"#))
        .collect();
    let body = format!("[{}]", specs.join(",")).into_bytes();
    assert!(body.len() > 1 << 20);
    let head = |auth: &str| {
        format!(
            "POST /_mock/builds HTTP/1.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}",
            body.len()
        )
    };
    let (status, rest) = request(&mock, &head(&format!("{}\r\n", admin(&mock))), &body);
    assert_eq!(status, 201, "{}", &rest[..rest.len().min(500)]);
    // Without it, the API's budget: refused, and nothing added.
    let (status, _) = request(&mock, &head(""), &body);
    assert_eq!(status, 401);
    let (status, count) = request(
        &mock,
        &format!("GET /_mock/builds HTTP/1.1\r\n{}", admin(&mock)),
        b"",
    );
    assert_eq!(status, 200);
    assert_eq!(count.matches("\"build_id\"").count(), 20_000);
}

#[tokio::test]
async fn faults_retry_after_and_large_answers_pass_through_unchanged() {
    let mock = Standalone::start(&["--generate", "3000"]);
    let client = mock.client();
    let every = client.builds().list().limit(3000).send().await.unwrap();
    assert_eq!(every.len(), 3000);

    let http = nixbuild::http_client_builder().unwrap().build().unwrap();
    let control = |path: &str| format!("{}{path}", mock.vars["NIXBUILD_MOCK_URL"]);
    let admin_token = mock.vars["NIXBUILD_MOCK_ADMIN_TOKEN"].clone();
    let inject = |fault: serde_json::Value| {
        let http = http.clone();
        let (url, token) = (control("/_mock/faults"), admin_token.clone());
        async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(fault.to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
    };
    inject(serde_json::json!({ "status": 503, "retry_after_seconds": 7 })).await;
    let refused = http
        .get(format!("{}/builds", mock.url()))
        .bearer_auth(mock.token())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "7");

    inject(serde_json::json!({ "drop_connection": true })).await;
    let dropped = http
        .get(format!("{}/builds", mock.url()))
        .bearer_auth(mock.token())
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(answer) => answer.bytes().await.is_err(),
    };
    assert!(failed, "the client sees the connection drop");
    // And the next request is served.
    assert_eq!(client.builds().list().limit(5).send().await.unwrap().len(), 5);
}

/// Request targets HTTP allows but a path does not make: each is answered (the mock's 404, or
/// the front's 400 for a target no URL holds), the binary never panics, and it serves on.
#[test]
fn odd_request_targets_are_answered_and_the_binary_serves_on() {
    let mock = Standalone::start(&[]);
    let token = format!("Authorization: Bearer {}", mock.token());
    for target in [
        "OPTIONS * HTTP/1.1",
        "GET http://elsewhere.example/builds?limit=1 HTTP/1.1",
        "GET /builds?limit=%ZZ HTTP/1.1",
        "GET /%00/../builds HTTP/1.1",
        "CONNECT elsewhere.example:443 HTTP/1.1",
    ] {
        let (status, rest) = request(&mock, &format!("{target}\r\n{token}"), b"");
        assert!((200..500).contains(&status), "{target}: {status} {rest}");
    }
    let (status, rest) = request(&mock, &format!("GET /builds?limit=1 HTTP/1.1\r\n{token}"), b"");
    assert_eq!(status, 200, "{rest}");
    let (_, log) = mock.terminate();
    assert!(!log.contains("panicked"), "{log}");
}

/// The binary's resident memory now, in KiB (Linux's `VmRSS`).
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Once the journal holds all it keeps (the binary's 10,000 entries), requests leave nothing
/// behind. Served through wiremock's server, each left about 5 KB (wiremock keeps a copy of
/// every request a mock matches): 10,000 more requests grew the binary by 50 MB.
#[tokio::test]
async fn many_requests_leave_nothing_behind_once_the_journal_is_full() {
    let mock = Standalone::start(&[]);
    let http = nixbuild::http_client_builder().unwrap().build().unwrap();
    let url = format!("{}/builds?limit=1", mock.url());
    let send = |count: usize| {
        let (http, url, token) = (http.clone(), url.clone(), mock.token().to_owned());
        async move {
            for _ in 0..count {
                let answer = http.get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(answer.status(), 200);
                answer.bytes().await.unwrap();
            }
        }
    };
    send(12_000).await;
    let full = resident_kib(mock.pid());
    send(10_000).await;
    let grown = resident_kib(mock.pid()).saturating_sub(full);
    assert!(
        grown < 16 * 1024,
        "10,000 requests grew the binary by {grown} KiB"
    );
}

/// Whether the server closed `stream` (end of stream, or a reset) within 20 s, having sent
/// nothing but, perhaps, an HTTP/2 frame or an error answer.
fn closed_by_the_server(mut stream: TcpStream) -> bool {
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut sink = [0u8; 4096];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn connections_that_send_nothing_or_only_the_h2c_preface_are_closed_after_the_read_timeout() {
    let mock = Standalone::start(&["--empty", "--read-timeout", "0.5"]);
    let silent: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(address(mock.url())).unwrap())
        .collect();
    let mut preface = TcpStream::connect(address(mock.url())).unwrap();
    preface.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
    // A keep-alive connection that asked once and then went quiet.
    let mut quiet = TcpStream::connect(address(mock.url())).unwrap();
    write!(quiet, "GET /_mock/health HTTP/1.1\r\nHost: mock\r\n\r\n").unwrap();
    for stream in silent.into_iter().chain([preface, quiet]) {
        assert!(closed_by_the_server(stream), "a silent connection was kept open");
    }
    // The slots are free: the mock answers.
    assert_eq!(request(&mock, "GET /_mock/health HTTP/1.1", b"").0, 200);
}

#[test]
fn stalled_anonymous_bodies_never_hold_up_the_control_api() {
    // Bodies that stall hold their bytes until the read timeout: far longer than the test.
    let mock = Standalone::start(&["--empty", "--read-timeout", "60"]);
    let megabyte = vec![b'['; (1 << 20) - 1];
    // 140 anonymous requests, each with a body of 1 MiB (the API's budget) of which all but
    // one byte is sent: past all the bytes in flight the front holds (128 MiB), so the
    // admin's request finds room only in the share reserved for it.
    let stalled: Vec<TcpStream> = (0..140)
        .map(|_| {
            let mut stream = TcpStream::connect(address(mock.url())).unwrap();
            let head = format!(
                "POST /processes HTTP/1.1\r\nHost: mock\r\nContent-Length: {}\r\n\r\n",
                1 << 20
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
            let _ = stream.write_all(&megabyte);
            stream
        })
        .collect();
    // Time for the front to read what was sent and take its room.
    std::thread::sleep(Duration::from_secs(3));
    let body = br#"[{"name": "hello-2.12", "status": "built"}]"#;
    let started = Instant::now();
    let (status, rest) = request(
        &mock,
        &format!(
            "POST /_mock/builds HTTP/1.1\r\n{}\r\nContent-Type: application/json\r\nContent-Length: {}",
            admin(&mock),
            body.len()
        ),
        body,
    );
    assert_eq!(status, 201, "{rest}");
    // Answered long before any stalled body timed out (60 s) and gave its room back.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    drop(stalled);
}

/// A soft limit of open files below what the front can use is raised toward the hard limit
/// (a soft 1,024, Linux's usual, held the front to 500 connections).
#[test]
fn a_low_soft_limit_of_open_files_is_raised_toward_the_hard_one() {
    let mock = Standalone::start_with_soft_fd_limit(&["--empty"], 64);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", mock.pid())).unwrap();
    let open_files: Vec<&str> = limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))
        .unwrap()
        .split_whitespace()
        .collect();
    let hard: u64 = open_files[1].parse().unwrap_or(u64::MAX);
    let soft: u64 = open_files[0].parse().unwrap_or(u64::MAX);
    assert_eq!(soft, hard.min(24 + 1024 * 2), "{limits}");
    assert_eq!(request(&mock, "GET /_mock/health HTTP/1.1", b"").0, 200);
}

/// The CPU time a process has used so far (user and system), in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn out_of_file_descriptors_the_front_waits_instead_of_spinning() {
    let mock = Standalone::start_with_fd_limit(&["--empty"], 64);
    // More connections than the mock may open files: accept fails with EMFILE until one closes.
    let held: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(address(mock.url())).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // The front serves no more connections than leave files for the rest of the process (its
    // mock's wiremock server, unused behind the front, stops accepting for good at its first
    // error, and a recording needs one to the API for each).
    let open = std::fs::read_dir(format!("/proc/{}/fd", mock.pid()))
        .unwrap()
        .count();
    assert!(
        open <= 48,
        "{open} files open of 64: none left for the rest of the process"
    );
    let before = cpu_ticks(mock.pid());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(mock.pid()) - before;
    // A loop retrying accept at once burns a whole core: about 200 ticks in these 2 s.
    assert!(used < 50, "the idle mock used {used} ticks of CPU in 2 s");
    drop(held);
    // The mock recovers once the connections close (its own side of each is freed when it
    // reads their end, and a paused accept resumes within its back-off), however often: the
    // front once took every file the process had, and when wiremock's server behind it met
    // the limit it stopped accepting for good (one run in six).
    for round in 0..4 {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut status = 0;
        while status != 200 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            status = request(&mock, "GET /_mock/health HTTP/1.1", b"").0;
        }
        assert_eq!(
            status, 200,
            "round {round}: the mock answers again once the connections closed"
        );
        let held: Vec<TcpStream> = (0..100)
            .filter_map(|_| TcpStream::connect(address(mock.url())).ok())
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
    }
}

/// Behind the front, the dashboard's events stream as changes happen: the stream stays
/// open, and a request to the API shows on it as a new count, with no new connection.
#[test]
fn the_front_streams_the_dashboard_s_events_as_changes_happen() {
    let mock = Standalone::start(&["--empty"]);
    let login = &mock.vars["NIXBUILD_MOCK_DASHBOARD_URL"];
    let host = address(login);
    let target = login.split_once(&host).unwrap().1;
    let (status, head) = {
        let mut stream = TcpStream::connect(&host).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        answer(stream)
    };
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|value| value.split(';').next())
        .unwrap()
        .to_owned();

    let mut events = TcpStream::connect(&host).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        events,
        "GET /_mock/ui/events HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nSec-Fetch-Site: same-origin\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(events);
    let mut counts = Vec::new();
    let mut line = String::new();
    while counts.len() < 2 {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream stays open");
        if let Some(count) = line.trim_end().strip_prefix("data: ") {
            counts.push(count.parse::<u64>().unwrap());
            if counts.len() == 1 {
                // A change: the API request, journaled.
                let _ = request(&mock, "GET /builds HTTP/1.1", b"");
            }
        }
    }
    assert!(counts[1] > counts[0], "{counts:?}");

    // Without the session, or from another origin, the front refuses as the mock does.
    let (status, _) = request(&mock, "GET /_mock/ui/events HTTP/1.1", b"");
    assert_eq!(status, 401);
    let mut stream = TcpStream::connect(&host).unwrap();
    write!(
        stream,
        "GET /_mock/ui/events HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nOrigin: http://127.0.0.1:1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    assert_eq!(answer(stream).0, 403);
}
