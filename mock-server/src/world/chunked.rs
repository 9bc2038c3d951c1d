//! [`Chunked`]: a vector kept in chunks of a fixed size, so that two made apart (by two
//! threads of a bulk load) join without copying either.
//!
//! A million builds' slots are 230 MB: joined as one vector, the second thread's half was
//! copied, and the copy's every page faulted in again, on one thread, while the other waited.

/// Elements of a full chunk.
pub(crate) const CHUNK: usize = 1 << 14;

/// A vector in chunks of [`CHUNK`] elements: every chunk but the last is full.
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, at: usize) -> Option<&T> {
        self.chunks.get(at / CHUNK)?.get(at % CHUNK)
    }

    pub(crate) fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        self.chunks.get_mut(at / CHUNK)?.get_mut(at % CHUNK)
    }

    pub(crate) fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(value),
            _ => {
                // The first chunk grows as a vector does (a store of a few builds stays
                // small); a later one is the size of the many before it.
                let capacity = if self.chunks.is_empty() { 0 } else { CHUNK };
                let mut chunk = Vec::with_capacity(capacity);
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    #[cfg(test)]
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.chunks.iter_mut().flatten()
    }

    /// Every element, in two runs of whole chunks (the first as long as the second, or a
    /// chunk longer), for two threads to change at once.
    pub(crate) fn halves_mut(&mut self) -> (impl Iterator<Item = &mut T>, impl Iterator<Item = &mut T>) {
        let middle = self.chunks.len().div_ceil(2);
        let (first, second) = self.chunks.split_at_mut(middle);
        (first.iter_mut().flatten(), second.iter_mut().flatten())
    }

    /// Appends `other`: its chunks moved as they are when this one ends at a chunk's end
    /// (or is empty), else its elements one by one.
    pub(crate) fn append(&mut self, other: Chunked<T>) {
        if self.len.is_multiple_of(CHUNK) {
            self.len += other.len;
            self.chunks.extend(other.chunks);
        } else {
            other
                .chunks
                .into_iter()
                .flatten()
                .for_each(|value| self.push(value));
        }
    }
}

impl<T> Extend<T> for Chunked<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, values: I) {
        values.into_iter().for_each(|value| self.push(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(range: std::ops::Range<usize>) -> Chunked<usize> {
        let mut chunked = Chunked::default();
        chunked.extend(range);
        chunked
    }

    #[test]
    fn elements_are_where_they_were_pushed_across_chunks() {
        let mut chunked = numbers(0..3 * CHUNK + 5);
        assert_eq!(chunked.len(), 3 * CHUNK + 5);
        for at in [0, 1, CHUNK - 1, CHUNK, 2 * CHUNK + 7, 3 * CHUNK + 4] {
            assert_eq!(chunked.get(at), Some(&at));
        }
        assert_eq!(chunked.get(3 * CHUNK + 5), None);
        assert_eq!(chunked.get(usize::MAX), None);
        *chunked.get_mut(CHUNK).unwrap() = 0;
        assert_eq!(chunked.iter().filter(|n| **n == 0).count(), 2);
        chunked.iter_mut().for_each(|n| *n += 1);
        assert_eq!(chunked.iter().copied().max(), Some(3 * CHUNK + 5));
        let (first, second) = chunked.halves_mut();
        let (first, second): (Vec<_>, Vec<_>) = (first.map(|n| *n).collect(), second.map(|n| *n).collect());
        assert_eq!((first.len(), second.len()), (2 * CHUNK, CHUNK + 5));
        assert!(first.iter().chain(&second).copied().eq(chunked.iter().copied()));
    }

    #[test]
    fn appending_moves_whole_chunks_or_each_element_and_keeps_the_order() {
        for first in [0, CHUNK, 2 * CHUNK, 3, CHUNK + 3] {
            let mut chunked = numbers(0..first);
            chunked.append(numbers(first..first + 2 * CHUNK + 9));
            assert_eq!(chunked.len(), first + 2 * CHUNK + 9);
            assert!(
                chunked.iter().copied().eq(0..first + 2 * CHUNK + 9),
                "after {first}"
            );
            // Every chunk but the last is full, as lookups assume.
            assert!(
                chunked
                    .chunks
                    .iter()
                    .rev()
                    .skip(1)
                    .all(|chunk| chunk.len() == CHUNK)
            );
            chunked.push(usize::MAX);
            assert_eq!(chunked.get(first + 2 * CHUNK + 9), Some(&usize::MAX));
        }
    }
}
