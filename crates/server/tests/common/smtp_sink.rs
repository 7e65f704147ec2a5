//! A minimal real SMTP server on 127.0.0.1 for tests (RFC 5321 without extensions: EHLO/HELO,
//! MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) that records each message
//! accepted. It can answer `451` (try again later) to the next messages, as a relay that is
//! down for a while does.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Message {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA (headers, blank line, body), dot-unstuffed, CRLF kept.
    pub data: String,
}

impl Message {
    /// The first header named `name` (unfolded), if any.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(value) = &mut found {
                if line.starts_with([' ', '\t']) {
                    value.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    found = Some(v.trim().to_string());
                }
            }
        }
        found
    }

    /// The decoded body of the MIME part whose Content-Type starts with `mime` (the whole
    /// message's body when it is a single part of that type). 7bit, 8bit and quoted-printable.
    pub fn part(&self, mime: &str) -> Option<String> {
        let chunks: Vec<&str> = match self.header("Content-Type")?.split_once("boundary=") {
            Some((_, b)) => {
                let boundary = format!("--{}", b.trim_matches('"'));
                self.data.split(boundary.as_str()).skip(1).collect()
            }
            None => vec![self.data.as_str()],
        };
        for chunk in chunks {
            let chunk = chunk.trim_start_matches("\r\n");
            let (head, body) = chunk.split_once("\r\n\r\n")?;
            let part = Message {
                data: format!("{head}\r\n\r\n"),
                ..self.clone()
            };
            if !part.header("Content-Type")?.starts_with(mime) {
                continue;
            }
            let body = body.strip_suffix("\r\n").unwrap_or(body);
            return match part.header("Content-Transfer-Encoding").as_deref() {
                Some("quoted-printable") => Some(decode_qp(body)),
                _ => Some(body.to_string()),
            };
        }
        None
    }
}

/// Quoted-printable (RFC 2045): soft line breaks removed, `=XX` decoded.
fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if let Some(Ok(b)) = joined.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Default)]
struct State {
    refuse_next: usize,
    attempts: usize,
    messages: Vec<Message>,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    /// Listens on `addr` (e.g. a port that refused connections until now).
    pub async fn start_on(addr: SocketAddr) -> SmtpSink {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, &shared).await;
                });
            }
        });
        SmtpSink { addr, state, task }
    }

    /// Answer `451` to the next `n` MAIL FROM commands.
    pub fn refuse_next(&self, n: usize) {
        self.state.lock().unwrap().refuse_next = n;
    }

    /// MAIL FROM commands seen, refused or not.
    pub fn attempts(&self) -> usize {
        self.state.lock().unwrap().attempts
    }

    pub fn messages(&self) -> Vec<Message> {
        self.state.lock().unwrap().messages.clone()
    }
}

/// Longest command line or DATA line read; a longer one ends the session.
const MAX_LINE: usize = 4096;

async fn read_line(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    let n = (&mut *reader)
        .take(MAX_LINE as u64)
        .read_line(&mut line)
        .await?;
    if n == 0 || !line.ends_with('\n') {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

fn address(arg: &str) -> String {
    arg.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_string()
}

async fn session(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(b"220 sink.test ESMTP test sink\r\n")
        .await?;
    let (mut from, mut to) = (None::<String>, Vec::<String>::new());
    while let Some(line) = read_line(&mut reader).await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if let Some(arg) = upper.strip_prefix("MAIL FROM:") {
            let mut s = state.lock().unwrap();
            s.attempts += 1;
            if s.refuse_next > 0 {
                s.refuse_next -= 1;
                b"451 4.3.0 test sink: try again later\r\n"
            } else {
                from = Some(address(&line[line.len() - arg.len()..]));
                to.clear();
                b"250 2.1.0 OK\r\n"
            }
        } else if let Some(arg) = upper.strip_prefix("RCPT TO:") {
            if from.is_none() {
                b"503 5.5.1 MAIL first\r\n"
            } else {
                to.push(address(&line[line.len() - arg.len()..]));
                b"250 2.1.5 OK\r\n"
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                b"503 5.5.1 MAIL and RCPT first\r\n"
            } else {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    let Some(l) = read_line(&mut reader).await? else {
                        return Ok(());
                    };
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push_str("\r\n");
                }
                state.lock().unwrap().messages.push(Message {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 2.0.0 queued\r\n"
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper == "NOOP" {
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}
