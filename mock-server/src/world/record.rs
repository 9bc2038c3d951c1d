//! [`Record`]: a build as the store keeps it, its repeated strings interned, and written as
//! JSON straight from there.
//!
//! A [`Build`] holds ten strings of its own; a million of them are mostly copies of a few
//! hundred derivation paths, systems, tag names and values. A record holds those as
//! [`Sym`]s, and its variable parts (its tags, and its outputs with their own paths and
//! hashes) in one allocation: loading a million builds spent most of its time in the
//! allocator when each of those was a box of its own.

use std::io::Write;

use chrono::{DateTime, Utc};
use nixbuild::{Build, BuildId, BuildStatus, Output, Tags, TimeBound};

use super::interner::{Interner, Renumbering, Sym, TagId};

/// A build, compact: see the module's documentation.
///
/// Its optional fields are kept bare, each with a bit in `present`: an `Option` of eight
/// bytes takes sixteen, and a million records are a million new pages' worth of memory to
/// fault in when loaded.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) build_id: BuildId,
    pub(crate) create_time: DateTime<Utc>,
    start_time: DateTime<Utc>,
    queue_time_seconds: f64,
    duration_seconds: f64,
    pub(crate) status: BuildStatus,
    status_message: Sym,
    cpu_count: u32,
    allocated_megabytes: u64,
    cpu_seconds: u64,
    peak_memory_use_kilobytes: u64,
    peak_storage_use_kilobytes: u64,
    pub(crate) derivation_path: Sym,
    system: Sym,
    restart_of_build_id: BuildId,
    restarted_as_build_id: BuildId,
    /// Which optional fields the build has: the `Present` bits.
    present: u8,
    /// The tags and outputs, laid out by [`Extras::write`]; empty (no allocation) when the
    /// build has neither.
    extras: Box<[u8]>,
}

/// The bits of [`Record::present`], one per optional field.
struct Present;

impl Present {
    const START_TIME: u8 = 1;
    const QUEUE_TIME: u8 = 1 << 1;
    const DURATION: u8 = 1 << 2;
    const STATUS_MESSAGE: u8 = 1 << 3;
    const PEAK_MEMORY: u8 = 1 << 4;
    const PEAK_STORAGE: u8 = 1 << 5;
    const RESTART_OF: u8 = 1 << 6;
    const RESTARTED_AS: u8 = 1 << 7;

    /// `value`'s content, or a default, with its bit set in `present` if it has one.
    fn take<T: Default>(present: &mut u8, bit: u8, value: Option<T>) -> T {
        match value {
            Some(value) => {
                *present |= bit;
                value
            }
            None => T::default(),
        }
    }
}

/// A build's tags and outputs as one run of bytes, all numbers little-endian `u32` but the
/// sizes:
///
/// `tag count, tag*, output count, (name, NAR size as u64, path length, path, hash length,
/// hash)*`
///
/// Tags come first and have a fixed size, so that matching a filter's tag reads no further.
struct Extras;

impl Extras {
    /// `tags` are the ids of the build's tags, in their order.
    fn write(build: &Build, tags: &[TagId], strings: &mut Interner) -> Box<[u8]> {
        if build.tags.is_empty() && build.outputs.is_empty() {
            return Box::default();
        }
        let texts: usize = build
            .outputs
            .iter()
            .map(|output| 20 + output.path.len() + output.nar_hash.len())
            .sum();
        let mut bytes = Vec::with_capacity(8 + 4 * tags.len() + texts);
        let number = |bytes: &mut Vec<u8>, n: usize| {
            // Counts and lengths of a build held in memory fit: a string's length past 4 GiB
            // would be cut, and no request or file the mock reads can carry one.
            bytes.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        };
        number(&mut bytes, tags.len());
        for tag in tags {
            bytes.extend_from_slice(&tag.raw().to_le_bytes());
        }
        number(&mut bytes, build.outputs.len());
        for output in &build.outputs {
            bytes.extend_from_slice(&strings.intern(&output.name).raw().to_le_bytes());
            bytes.extend_from_slice(&output.nar_size_bytes.to_le_bytes());
            number(&mut bytes, output.path.len());
            bytes.extend_from_slice(output.path.as_bytes());
            number(&mut bytes, output.nar_hash.len());
            bytes.extend_from_slice(output.nar_hash.as_bytes());
        }
        bytes.into_boxed_slice()
    }
}

/// Reads the bytes [`Extras::write`] laid out, front to back; a read past the end gives
/// nothing (never a panic), which only a bug could cause.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.bytes.len());
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        taken
    }

    fn u32(&mut self) -> u32 {
        self.take(4).try_into().map_or(0, u32::from_le_bytes)
    }

    fn u64(&mut self) -> u64 {
        self.take(8).try_into().map_or(0, u64::from_le_bytes)
    }

    fn text(&mut self) -> &'a str {
        let len = self.u32() as usize;
        // Written from a `str`: valid UTF-8.
        std::str::from_utf8(self.take(len)).unwrap_or("")
    }

    fn sym(&mut self) -> Sym {
        Sym::from_raw(self.u32())
    }
}

/// One output, as read back from the extras.
struct OutputRef<'a> {
    name: Sym,
    nar_size_bytes: u64,
    path: &'a str,
    nar_hash: &'a str,
}

impl Record {
    /// `build`, its repeated strings interned in `strings`.
    pub(crate) fn new(build: &Build, strings: &mut Interner) -> Record {
        let mut tags = Vec::with_capacity(build.tags.len());
        strings.intern_tags(
            build
                .tags
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
            &mut tags,
        );
        Record::with_tags(build, &tags, strings)
    }

    /// `build`, its repeated strings interned in `strings`, but its tags, whose ids (as
    /// interned there, in their order) are `tags`: a bulk load interns many builds' tags at
    /// once ([`Interner::intern_tags`]).
    pub(crate) fn with_tags(build: &Build, tags: &[TagId], strings: &mut Interner) -> Record {
        let mut present = 0;
        let status_message = build.status_message.as_deref().map(|m| strings.intern(m));
        Record {
            build_id: build.build_id,
            create_time: build.create_time,
            start_time: Present::take(&mut present, Present::START_TIME, build.start_time),
            queue_time_seconds: Present::take(&mut present, Present::QUEUE_TIME, build.queue_time_seconds),
            duration_seconds: Present::take(&mut present, Present::DURATION, build.duration_seconds),
            status: build.status.clone(),
            status_message: Sym::from_raw(Present::take(
                &mut present,
                Present::STATUS_MESSAGE,
                status_message.map(Sym::raw),
            )),
            cpu_count: build.cpu_count,
            allocated_megabytes: build.allocated_megabytes,
            cpu_seconds: build.cpu_seconds,
            peak_memory_use_kilobytes: Present::take(
                &mut present,
                Present::PEAK_MEMORY,
                build.peak_memory_use_kilobytes,
            ),
            peak_storage_use_kilobytes: Present::take(
                &mut present,
                Present::PEAK_STORAGE,
                build.peak_storage_use_kilobytes,
            ),
            derivation_path: strings.intern(&build.derivation_path),
            system: strings.intern(&build.system),
            restart_of_build_id: BuildId(Present::take(
                &mut present,
                Present::RESTART_OF,
                build.restart_of_build_id.map(|id| id.0),
            )),
            restarted_as_build_id: BuildId(Present::take(
                &mut present,
                Present::RESTARTED_AS,
                build.restarted_as_build_id.map(|id| id.0),
            )),
            extras: Extras::write(build, tags, strings),
            present,
        }
    }

    /// `value` if the build has the field of `bit`.
    fn optional<T>(&self, bit: u8, value: T) -> Option<T> {
        (self.present & bit != 0).then_some(value)
    }

    fn start_time(&self) -> Option<DateTime<Utc>> {
        self.optional(Present::START_TIME, self.start_time)
    }

    fn queue_time_seconds(&self) -> Option<f64> {
        self.optional(Present::QUEUE_TIME, self.queue_time_seconds)
    }

    fn duration_seconds(&self) -> Option<f64> {
        self.optional(Present::DURATION, self.duration_seconds)
    }

    fn status_message(&self) -> Option<Sym> {
        self.optional(Present::STATUS_MESSAGE, self.status_message)
    }

    fn peak_memory_use_kilobytes(&self) -> Option<u64> {
        self.optional(Present::PEAK_MEMORY, self.peak_memory_use_kilobytes)
    }

    fn peak_storage_use_kilobytes(&self) -> Option<u64> {
        self.optional(Present::PEAK_STORAGE, self.peak_storage_use_kilobytes)
    }

    fn restart_of_build_id(&self) -> Option<BuildId> {
        self.optional(Present::RESTART_OF, self.restart_of_build_id)
    }

    fn restarted_as_build_id(&self) -> Option<BuildId> {
        self.optional(Present::RESTARTED_AS, self.restarted_as_build_id)
    }

    /// The record made with another interner, made this one's: its symbols and tag ids
    /// renumbered as [`Interner::absorb`] found them here.
    pub(crate) fn renumber(&mut self, renumbering: &Renumbering) {
        self.derivation_path = renumbering.sym(self.derivation_path);
        self.system = renumbering.sym(self.system);
        if let Some(message) = self.status_message() {
            self.status_message = renumbering.sym(message);
        }
        // Each number rewritten where it lies, the layout walked as `Reader` walks it.
        let bytes = &mut self.extras[..];
        let number_at = |bytes: &[u8], at: usize| {
            Reader {
                bytes: bytes.get(at..).unwrap_or_default(),
            }
            .u32()
        };
        let rewrite = |bytes: &mut [u8], at: usize, renumber: &dyn Fn(u32) -> u32| {
            let new = renumber(number_at(bytes, at)).to_le_bytes();
            if let Some(number) = bytes.get_mut(at..at + 4) {
                number.copy_from_slice(&new);
            }
        };
        let tags = number_at(bytes, 0) as usize;
        for i in 0..tags {
            rewrite(bytes, 4 + 4 * i, &|tag| {
                renumbering.tag(TagId::from_raw(tag)).raw()
            });
        }
        let mut at = 4 + 4 * tags;
        let outputs = number_at(bytes, at);
        at += 4;
        for _ in 0..outputs {
            rewrite(bytes, at, &|name| renumbering.sym(Sym::from_raw(name)).raw());
            // The name, the NAR size, then the path and the hash, each after its length.
            at += 4 + 8;
            at += 4 + number_at(bytes, at) as usize;
            at += 4 + number_at(bytes, at) as usize;
        }
    }

    /// The tags, in the build's order (by name).
    pub(crate) fn tags(&self) -> impl Iterator<Item = TagId> + '_ {
        let mut reader = Reader { bytes: &self.extras };
        let count = reader.u32();
        (0..count).map(move |_| TagId::from_raw(reader.u32()))
    }

    /// The outputs, in the build's order.
    fn outputs(&self) -> impl Iterator<Item = OutputRef<'_>> + '_ {
        let mut reader = Reader { bytes: &self.extras };
        let tags = reader.u32() as usize;
        reader.take(4 * tags);
        let count = reader.u32();
        (0..count).map(move |_| OutputRef {
            name: reader.sym(),
            nar_size_bytes: reader.u64(),
            path: reader.text(),
            nar_hash: reader.text(),
        })
    }

    /// The build this record keeps.
    pub(crate) fn build(&self, strings: &Interner) -> Build {
        let mut build = Build::new(
            self.build_id,
            strings.text(self.derivation_path),
            strings.text(self.system),
            self.create_time,
        );
        build.start_time = self.start_time();
        build.queue_time_seconds = self.queue_time_seconds();
        build.duration_seconds = self.duration_seconds();
        build.status = self.status.clone();
        build.status_message = self.status_message().map(|m| strings.text(m).to_owned());
        build.cpu_count = self.cpu_count;
        build.allocated_megabytes = self.allocated_megabytes;
        build.cpu_seconds = self.cpu_seconds;
        build.peak_memory_use_kilobytes = self.peak_memory_use_kilobytes();
        build.peak_storage_use_kilobytes = self.peak_storage_use_kilobytes();
        build.outputs = self
            .outputs()
            .map(|output| {
                Output::new(
                    strings.text(output.name),
                    output.path,
                    output.nar_hash,
                    output.nar_size_bytes,
                )
            })
            .collect();
        build.tags = self.tags().map(|tag| strings.tag_parts(tag)).collect::<Tags>();
        build.restart_of_build_id = self.restart_of_build_id();
        build.restarted_as_build_id = self.restarted_as_build_id();
        build
    }

    /// Whether the record has `tag`.
    pub(crate) fn has_tag(&self, tag: TagId) -> bool {
        self.tags().any(|have| have == tag)
    }

    /// Appends the build's JSON to `out`, byte for byte as `serde_json` writes the [`Build`]
    /// (a test holds the two together), without making the build first.
    pub(crate) fn write_json(&self, strings: &Interner, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail, and every value here encodes.
        let _ = self.try_write_json(strings, out);
    }

    fn try_write_json(&self, strings: &Interner, out: &mut Vec<u8>) -> std::io::Result<()> {
        // Each field written straight: an integer by itoa, a repeated string by the interner
        // (escaped once, where it needs it); serde_json only for floats and the strings of this build
        // alone. `write!` and a serializer per field cost as much as the rest in a debug
        // build, where a test suite first asks for each build.
        let number =
            |out: &mut Vec<u8>, n: u64| out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        let optional = |out: &mut Vec<u8>, n: Option<u64>| match n {
            Some(n) => number(out, n),
            None => out.extend_from_slice(b"null"),
        };
        out.extend_from_slice(b"{\"build_id\":");
        number(out, self.build_id.0);
        out.extend_from_slice(b",\"create_time\":");
        write_time(out, self.create_time)?;
        out.extend_from_slice(b",\"start_time\":");
        match self.start_time() {
            Some(t) => write_time(out, t)?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"queue_time_seconds\":");
        serde_json::to_writer(&mut *out, &self.queue_time_seconds())?;
        out.extend_from_slice(b",\"duration_seconds\":");
        serde_json::to_writer(&mut *out, &self.duration_seconds())?;
        out.extend_from_slice(b",\"status\":");
        match &self.status {
            // A known status is snake_case letters: nothing to escape.
            BuildStatus::Unknown(text) => serde_json::to_writer(&mut *out, text)?,
            known => {
                out.push(b'"');
                out.extend_from_slice(known.as_str().as_bytes());
                out.push(b'"');
            }
        }
        out.extend_from_slice(b",\"status_message\":");
        match self.status_message() {
            Some(message) => strings.write_json(message, out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"cpu_count\":");
        number(out, u64::from(self.cpu_count));
        out.extend_from_slice(b",\"allocated_megabytes\":");
        number(out, self.allocated_megabytes);
        out.extend_from_slice(b",\"cpu_seconds\":");
        number(out, self.cpu_seconds);
        out.extend_from_slice(b",\"peak_memory_use_kilobytes\":");
        optional(out, self.peak_memory_use_kilobytes());
        out.extend_from_slice(b",\"peak_storage_use_kilobytes\":");
        optional(out, self.peak_storage_use_kilobytes());
        out.extend_from_slice(b",\"derivation_path\":");
        strings.write_json(self.derivation_path, out);
        out.extend_from_slice(b",\"outputs\":[");
        for (i, output) in self.outputs().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"name\":");
            strings.write_json(output.name, out);
            out.extend_from_slice(b",\"path\":");
            serde_json::to_writer(&mut *out, output.path)?;
            out.extend_from_slice(b",\"nar_hash\":");
            serde_json::to_writer(&mut *out, output.nar_hash)?;
            out.extend_from_slice(b",\"nar_size_bytes\":");
            number(out, output.nar_size_bytes);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"system\":");
        strings.write_json(self.system, out);
        out.extend_from_slice(b",\"tags\":{");
        for (i, tag) in self.tags().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            strings.write_tag_json(tag, out);
        }
        out.push(b'}');
        if let Some(id) = self.restart_of_build_id() {
            out.extend_from_slice(b",\"restart_of_build_id\":");
            number(out, id.0);
        }
        if let Some(id) = self.restarted_as_build_id() {
            out.extend_from_slice(b",\"restarted_as_build_id\":");
            number(out, id.0);
        }
        out.push(b'}');
        Ok(())
    }
}

/// `t` as a JSON string, as the SDK spells a timestamp.
fn write_time(out: &mut Vec<u8>, t: DateTime<Utc>) -> std::io::Result<()> {
    out.push(b'"');
    write!(out, "{}", TimeBound::DateTime(t))?;
    out.push(b'"');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::generate;

    /// Builds that reach every field and every escape: the generated ones, and hostile ones.
    fn builds() -> Vec<Build> {
        let mut builds = generate(2000, 9);
        let mut odd = crate::BuildFixture::built("quote\"back\\slash\u{7}bell-ünï-🦀")
            .tag("name \"with\" quotes", "line\nbreak\u{0}")
            .tag("", "")
            .build();
        odd.status = BuildStatus::Unknown("quarantined\t".into());
        odd.status_message = Some("\u{1b}[31mred".into());
        odd.queue_time_seconds = Some(f64::NAN);
        odd.duration_seconds = Some(f64::INFINITY);
        odd.peak_memory_use_kilobytes = None;
        odd.restart_of_build_id = Some(BuildId(u64::MAX));
        odd.restarted_as_build_id = Some(BuildId(0));
        odd.system = String::new();
        odd.create_time = DateTime::<Utc>::MIN_UTC;
        odd.start_time = Some(DateTime::<Utc>::MAX_UTC);
        builds.push(odd);
        builds
    }

    #[test]
    fn a_record_keeps_its_build_and_writes_serdes_json() {
        let mut strings = Interner::default();
        for build in builds() {
            let record = Record::new(&build, &mut strings);
            let kept = record.build(&strings);
            let expected = serde_json::to_vec(&build).unwrap();
            let mut written = Vec::new();
            record.write_json(&strings, &mut written);
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&expected)
            );
            // NaN is not equal to itself: compare the JSON of the build kept instead.
            assert_eq!(serde_json::to_vec(&kept).unwrap(), expected);
            if build.queue_time_seconds.is_none_or(|q| !q.is_nan()) {
                assert_eq!(kept, build);
            }
        }
    }

    #[test]
    fn a_record_made_with_another_interner_is_renumbered_into_this_one() {
        let builds = builds();
        let (older, newer) = builds.split_at(builds.len() / 2);
        let mut strings = Interner::default();
        older
            .iter()
            .for_each(|build| drop(Record::new(build, &mut strings)));
        // The other interner numbers the same strings differently: it met them in another order.
        let mut other = Interner::default();
        let records: Vec<Record> = newer.iter().rev().map(|b| Record::new(b, &mut other)).collect();
        let renumbering = strings.absorb(&other);
        for (mut record, build) in records.into_iter().zip(newer.iter().rev()) {
            record.renumber(&renumbering);
            let mut written = Vec::new();
            record.write_json(&strings, &mut written);
            assert_eq!(written, serde_json::to_vec(build).unwrap());
        }
    }
}
