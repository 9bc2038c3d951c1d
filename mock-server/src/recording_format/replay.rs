//! [`Replayer`]: answers each request as the recording answered it, and names the nearest
//! recorded request when none matches.

use std::collections::HashMap;

use super::format::{Interaction, Recording, request_line};
use super::query::Query;

/// One distinct recorded request and the answers it got, in order.
struct Recorded {
    method: String,
    path: String,
    query: Query,
    line: String,
    answers: Vec<usize>,
    /// How many times it was replayed.
    asked: usize,
}

/// The recording's requests, each answered in turn: the first time a request comes it gets
/// the first recorded answer, the second time the second, and the last one after that (a
/// client polling a build sees it go from `running` to `built` as it did when recorded).
pub(crate) struct Replayer {
    interactions: Vec<Interaction>,
    recorded: Vec<Recorded>,
    /// Each distinct request's place in `recorded`, by method, path and query: a start and a
    /// lookup that stay linear in the requests recorded (a scan per request made 40,000
    /// distinct requests take 20 s to load).
    exact: HashMap<(String, String, Query), usize>,
    /// The requests whose query holds a value the recording redacted, which match any value
    /// sent in its place, so are tried one by one after an exact match was not found.
    with_redacted: Vec<usize>,
    /// The query parameters left out of every match (`replay --ignore-param`).
    ignored: Vec<String>,
}

/// A request the recording does not hold, and the message that says what is nearest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Miss(pub(crate) String);

impl Replayer {
    /// How many request-answer pairs the recording holds.
    pub(crate) fn recorded(&self) -> usize {
        self.interactions.len()
    }

    /// A replayer of `recording` whose requests match whatever the query parameters named
    /// in `ignored` hold.
    pub(crate) fn new(recording: Recording, ignored: Vec<String>) -> Replayer {
        let ignored_names: Vec<&str> = ignored.iter().map(String::as_str).collect();
        let mut recorded: Vec<Recorded> = Vec::new();
        let mut exact: HashMap<(String, String, Query), usize> = HashMap::new();
        let mut with_redacted = Vec::new();
        for (index, interaction) in recording.interactions.iter().enumerate() {
            let query = interaction.parsed_query().without(&ignored_names);
            let key = (interaction.method.clone(), interaction.path.clone(), query);
            match exact.get(&key) {
                Some(&same) => recorded[same].answers.push(index),
                None => {
                    if key.2.holds_redacted() {
                        with_redacted.push(recorded.len());
                    }
                    recorded.push(Recorded {
                        method: key.0.clone(),
                        path: key.1.clone(),
                        line: interaction.request_line(),
                        query: key.2.clone(),
                        answers: vec![index],
                        asked: 0,
                    });
                    exact.insert(key, recorded.len() - 1);
                }
            }
        }
        Replayer {
            interactions: recording.interactions,
            recorded,
            exact,
            with_redacted,
            ignored,
        }
    }

    /// The recorded answer to `method path?query`, or what is nearest.
    pub(crate) fn answer(&mut self, method: &str, path: &str, query: &str) -> Result<&Interaction, Miss> {
        let ignored: Vec<&str> = self.ignored.iter().map(String::as_str).collect();
        let sent = Query::parse(query).without(&ignored);
        let key = (method.to_owned(), path.to_owned(), sent);
        let place = self.exact.get(&key).copied().or_else(|| {
            self.with_redacted.iter().copied().find(|&place| {
                let r = &self.recorded[place];
                r.method == method && r.path == path && r.query.matches(&key.2)
            })
        });
        let Some(place) = place else {
            return Err(Miss(self.nearest(method, path, query, &key.2)));
        };
        let found = &mut self.recorded[place];
        let index = found.answers[found.asked.min(found.answers.len() - 1)];
        found.asked = found.asked.saturating_add(1);
        Ok(&self.interactions[index])
    }

    fn nearest(&self, method: &str, path: &str, query: &str, sent: &Query) -> String {
        let asked = request_line(method, path, query);
        let distance = |r: &Recorded| {
            let mut distance = r.query.distance(sent);
            if r.path != path {
                distance += 1000;
            }
            if r.method != method {
                distance += 1000;
            }
            distance
        };
        let Some(nearest) = self.recorded.iter().min_by_key(|r| distance(r)) else {
            return format!("{asked} was not recorded, and the recording holds no request");
        };
        let mut how = Vec::new();
        if nearest.method != method {
            how.push(format!("the method (recorded {}, sent {method})", nearest.method));
        }
        if nearest.path != path {
            how.push(format!("the path (recorded {}, sent {path})", nearest.path));
        }
        how.extend(nearest.query.differences(sent));
        format!(
            "{asked} was not recorded; the nearest recorded request is {}, which differs in {}",
            nearest.line,
            how.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn recording(interactions: &[(&str, &str, &[u8])]) -> Recording {
        let mut recording = Recording::new(false);
        recording.interactions = interactions
            .iter()
            .map(|(path, query, body)| Interaction::new("GET", *path, *query, 200, BTreeMap::new(), body))
            .collect();
        recording
    }

    #[test]
    fn repeated_requests_get_their_answers_in_turn_then_the_last_again() {
        let mut replayer = Replayer::new(
            recording(&[
                ("/builds", "status=running", b"[1]"),
                ("/usage", "", b"{}"),
                ("/builds", "status=running", b"[2]"),
            ]),
            Vec::new(),
        );
        let mut answer = |query| replayer.answer("GET", "/builds", query).unwrap().body().to_vec();
        assert_eq!(answer("status=running"), b"[1]");
        assert_eq!(answer("status=running"), b"[2]");
        assert_eq!(answer("status=running"), b"[2]");
    }

    #[test]
    fn a_miss_names_the_nearest_request_and_how_it_differs() {
        let mut replayer = Replayer::new(
            recording(&[
                ("/builds", "status=built&limit=10", b"[]"),
                ("/builds/summary", "status=built&limit=5", b"{}"),
                ("/usage", "", b"{}"),
            ]),
            Vec::new(),
        );
        let Miss(message) = replayer
            .answer("GET", "/builds", "limit=5&status=built")
            .unwrap_err();
        assert_eq!(
            message,
            "GET /builds?limit=5&status=built was not recorded; the nearest recorded request is \
             GET /builds?status=built&limit=10, which differs in limit (recorded \"10\", sent \"5\")"
        );
        let Miss(message) = replayer.answer("POST", "/usage", "").unwrap_err();
        assert!(
            message.ends_with("differs in the method (recorded GET, sent POST)"),
            "{message}"
        );
        let Miss(message) = Replayer::new(recording(&[]), Vec::new())
            .answer("GET", "/usage", "")
            .unwrap_err();
        assert!(message.contains("holds no request"), "{message}");
    }
}
