//! [`Query`]: a query string's parameters, compared the way a replay compares requests:
//! decoded, in any order.

use crate::redaction::REDACTED;

/// A query string's parameters, decoded (`%3A` and `:` are the same) and sorted, so that
/// `a=1&b=2` and `b=2&a=1` are one query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// The parameters of `query` (without its `?`).
    pub(crate) fn parse(query: &str) -> Query {
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        pairs.sort();
        Query(pairs)
    }

    /// These parameters but those named `names`.
    pub(crate) fn without(&self, names: &[&str]) -> Query {
        Query(
            self.0
                .iter()
                .filter(|(name, _)| !names.contains(&name.as_str()))
                .cloned()
                .collect(),
        )
    }

    /// The value of parameter `name`, when it is given once.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        match self.values(name).as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Whether a request with `sent` asks what this recorded query asked: the same
    /// parameters with the same values, where a value the recording redacted matches any.
    pub(crate) fn matches(&self, sent: &Query) -> bool {
        self.0.len() == sent.0.len()
            && self
                .0
                .iter()
                .zip(&sent.0)
                .all(|((name, value), (sent_name, sent_value))| {
                    name == sent_name && (value == sent_value || value == REDACTED)
                })
    }

    /// Whether a value of this recorded query was redacted (so it matches any value sent).
    pub(crate) fn holds_redacted(&self) -> bool {
        self.0.iter().any(|(_, value)| value == REDACTED)
    }

    /// How far `sent` is from this recorded query: each parameter sent with another value
    /// counts 1, each parameter only one of them has counts 2 (a request that changed a
    /// filter's value is nearer than one that dropped it).
    pub(crate) fn distance(&self, sent: &Query) -> usize {
        self.differing_names(sent)
            .into_iter()
            .map(|name| {
                let both = !self.values(name).is_empty() && !sent.values(name).is_empty();
                if both { 1 } else { 2 }
            })
            .sum()
    }

    /// How `sent` differs from this recorded query, one phrase per parameter:
    /// `limit (recorded "10", sent "5")`, `tags (recorded "a:b", not sent)`.
    pub(crate) fn differences(&self, sent: &Query) -> Vec<String> {
        self.differing_names(sent)
            .into_iter()
            .map(|name| {
                let (recorded, asked) = (self.values(name), sent.values(name));
                format!("{name} (recorded {}, sent {})", shown(&recorded), shown(&asked))
            })
            .collect()
    }

    /// The names of the parameters whose values differ, in order.
    fn differing_names<'a>(&'a self, sent: &'a Query) -> Vec<&'a str> {
        let mut names: Vec<&str> = self.0.iter().chain(&sent.0).map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.retain(|name| {
            let (recorded, asked) = (self.values(name), sent.values(name));
            let same = recorded.len() == asked.len()
                && recorded.iter().zip(&asked).all(|(r, a)| r == a || *r == REDACTED);
            !same
        });
        names
    }

    fn values(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn shown(values: &[&str]) -> String {
    match values {
        [] => "nothing".to_owned(),
        values => values
            .iter()
            .map(|v| format!("{:?}", shortened(v)))
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

/// At most 80 characters of `value`, and `…` when there were more: a message names a value,
/// it does not repeat a kilobyte of it.
fn shortened(value: &str) -> String {
    match value.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_encoding_do_not_matter_and_a_redacted_value_matches_any() {
        let recorded = Query::parse("tags=ci%3A1&status=built");
        assert!(recorded.matches(&Query::parse("status=built&tags=ci:1")));
        assert!(!recorded.matches(&Query::parse("status=built&tags=ci:2")));
        assert!(!recorded.matches(&Query::parse("status=built")));
        let redacted = Query::parse("access_token=%5Bredacted%5D");
        assert!(redacted.matches(&Query::parse("access_token=anything")));
    }

    #[test]
    fn differences_name_each_parameter_and_both_values() {
        let recorded = Query::parse("limit=10&status=built&tags=a:b");
        let sent = Query::parse("limit=5&status=built&derivation_path=x");
        assert_eq!(
            recorded.differences(&sent),
            [
                r#"derivation_path (recorded nothing, sent "x")"#,
                r#"limit (recorded "10", sent "5")"#,
                r#"tags (recorded "a:b", sent nothing)"#,
            ]
        );
    }
}
