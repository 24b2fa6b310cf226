//! Storage whose elements never move: chunks of geometrically growing size
//! (16, 32, 64, ...), each allocated once. A timer's C node lives inside its
//! element, so the host's pointers to it stay valid while the timer lives,
//! and the timer's own data sits next to its node (one place to fetch when
//! it fires, not two).

const FIRST: usize = 16;

pub struct Slab<T> {
    chunks: Vec<Box<[Option<T>]>>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { chunks: Vec::new(), len: 0 }
    }
}

/// The chunk and offset of index `i`.
fn locate(i: usize) -> (usize, usize) {
    let j = i + FIRST;
    let chunk = (usize::BITS - 1 - j.leading_zeros()) as usize - FIRST.trailing_zeros() as usize;
    (chunk, j - (FIRST << chunk))
}

impl<T> Slab<T> {
    /// Elements ever pushed (the highest index + 1).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        let (c, o) = locate(i);
        self.chunks.get(c)?.get(o)?.as_ref()
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let (c, o) = locate(i);
        self.chunks.get_mut(c)?.get_mut(o)?.as_mut()
    }

    /// Puts `value` at index `i` (below `len`), returning what was there.
    pub fn set(&mut self, i: usize, value: T) -> Option<T> {
        let (c, o) = locate(i);
        self.chunks.get_mut(c)?.get_mut(o)?.replace(value)
    }

    pub fn take(&mut self, i: usize) -> Option<T> {
        let (c, o) = locate(i);
        self.chunks.get_mut(c)?.get_mut(o)?.take()
    }

    /// Appends `value`; its index.
    pub fn push(&mut self, value: T) -> usize {
        let i = self.len;
        let (c, o) = locate(i);
        if c == self.chunks.len() {
            self.chunks.push((0..FIRST << c).map(|_| None).collect());
        }
        self.chunks[c][o] = Some(value);
        self.len += 1;
        i
    }

    /// Drops every element and frees the chunks.
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_stay_put() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(15), (0, 15));
        assert_eq!(locate(16), (1, 0));
        assert_eq!(locate(47), (1, 31));
        assert_eq!(locate(48), (2, 0));
        let mut s = Slab::default();
        let first = s.push(7u64);
        let at = s.get(first).unwrap() as *const u64;
        for i in 1..10_000u64 {
            assert_eq!(s.push(i), i as usize);
        }
        assert_eq!(s.get(first).unwrap() as *const u64, at);
        assert_eq!(s.take(5000), Some(5000));
        assert_eq!(s.get(5000), None);
        assert_eq!(s.set(5000, 1), None);
        assert_eq!(s.get(9999), Some(&9999));
        assert_eq!(s.get(10_000), None);
    }
}
